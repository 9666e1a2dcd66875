//! What the mock Keycloak has handed out (codes, refresh tokens): each entry expires, and the
//! whole is bounded, so a long-running mock does not grow with every login.

use std::collections::HashMap;
use std::time::{Duration, Instant};

struct Entry<T> {
    value: T,
    issued: Instant,
    until: Option<Instant>,
}

/// Entries by key, at most `cap` of them (the oldest goes first), each until its lifetime ends.
pub(crate) struct Issued<T> {
    entries: HashMap<String, Entry<T>>,
    cap: usize,
}

impl<T> Issued<T> {
    pub(crate) fn new(cap: usize) -> Self {
        Issued {
            entries: HashMap::new(),
            cap: cap.max(1),
        }
    }

    /// Adds an entry valid for `lifetime` (`None`: until evicted), after forgetting the expired
    /// ones and, at the cap, the oldest.
    pub(crate) fn insert(&mut self, key: String, value: T, lifetime: Option<Duration>) {
        let now = Instant::now();
        self.entries
            .retain(|_, e| e.until.is_none_or(|until| until > now));
        if self.entries.len() >= self.cap {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.issued)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        let until = lifetime.map(|l| now + l);
        self.entries.insert(
            key,
            Entry {
                value,
                issued: now,
                until,
            },
        );
    }

    /// The entry, unless it expired.
    pub(crate) fn get(&self, key: &str) -> Option<&T> {
        let entry = self.entries.get(key)?;
        let live = entry.until.is_none_or(|until| Instant::now() < until);
        live.then_some(&entry.value)
    }

    /// Takes the entry out (used once), unless it expired.
    pub(crate) fn remove(&mut self, key: &str) -> Option<T> {
        let entry = self.entries.remove(key)?;
        let live = entry.until.is_none_or(|until| Instant::now() < until);
        live.then_some(entry.value)
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_the_oldest_goes_at_the_cap() {
        let mut issued = Issued::new(3);
        issued.insert("gone".into(), 0, Some(Duration::ZERO));
        assert_eq!(issued.get("gone"), None);
        for n in 1..=3 {
            issued.insert(format!("k{n}"), n, None);
        }
        // The expired entry was forgotten on insert; the cap holds with the oldest evicted.
        assert_eq!(issued.len(), 3);
        issued.insert("k4".into(), 4, None);
        assert_eq!(issued.len(), 3);
        assert_eq!(issued.get("k1"), None);
        assert_eq!(issued.remove("k4"), Some(4));
        assert_eq!(issued.remove("k4"), None);
    }
}
