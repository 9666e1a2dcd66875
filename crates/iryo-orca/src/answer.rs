//! A `pusheventgetv2` answer as received: its text, read once, and where each notification's
//! `data` lies in it. Notifications are typed one at a time when asked for, so an answer costs
//! its own size plus 16 bytes per notification, never a typed copy of the whole list; a body too
//! large to copy is kept as a part of the answer's text ([`RawJson::shared`]).

use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use iryo_runtime::RawJson;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::notification::{KEEP_RAW_UP_TO, PushEvents, Undelivered};
use crate::push_events::PushEvent;
use crate::time::OrcaTimestamp;
use crate::types::{self, PushEventData, PushEventGetResponse, PushEventListItem};

/// What an answer's text says, before any notification is typed.
#[derive(Debug)]
pub(crate) enum Reading {
    /// A list of notifications (possibly empty: ORCA's 0007 too).
    List(PushAnswer),
    /// An error object (not 0007).
    Api(types::PushEventError),
    /// Not an answer of this API: the decode error and the answer, for the caller to report.
    Invalid(serde_json::Error, String),
}

/// The notifications of one `pusheventgetv2` answer, kept as the answer's text and typed one at
/// a time ([`PushEventsRequest::send_lazy`](crate::PushEventsRequest::send_lazy)): iterate it
/// for each notification in answer order, or one that cannot be delivered, named.
#[derive(Clone, Debug, Default)]
pub struct PushAnswer {
    text: Arc<String>,
    /// The byte range of each element's `data` object, in answer order.
    data: Vec<Range<usize>>,
}

impl PushAnswer {
    /// Finds the notifications of an answer (UTF-8 JSON). An error element or object fails it,
    /// except ORCA's 0007 (nothing matched), an empty list.
    pub(crate) fn read(text: String) -> Reading {
        let data = match data_ranges(&text) {
            Ok(data) => data,
            Err(Failed::Api(error)) => return Reading::Api(error),
            Err(Failed::Invalid(error)) => return Reading::Invalid(error, text),
        };
        Reading::List(PushAnswer {
            text: Arc::new(text),
            data,
        })
    }

    /// How many notifications the answer holds.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Notification `position` (`< len()`), typed (the one conversion: [`PushEvent::from_data`]).
    pub fn event(&self, position: usize) -> Result<PushEvent, Box<Undelivered>> {
        let range = self.data[position].clone();
        let raw = &self.text[range.clone()];
        let event = match self.large_body(raw, range.start) {
            Some((body, without)) => match serde_json::from_str::<PushEventData>(&without) {
                Ok(mut data) => {
                    data.body = body;
                    PushEvent::from_data(data)
                }
                Err(error) => Err(Box::new(Undelivered::naming(raw, error.to_string()))),
            },
            None => PushEvent::from_json(raw),
        };
        event.map_err(|undelivered| Box::new((*undelivered).at(position)))
    }

    /// The time of notification `position`, if it has one (to put answers in time order).
    pub(crate) fn time(&self, position: usize) -> Option<DateTime<FixedOffset>> {
        #[derive(Deserialize)]
        struct Time {
            time: OrcaTimestamp,
        }
        let raw = &self.text[self.data[position].clone()];
        serde_json::from_str::<Time>(raw)
            .ok()
            .map(|t| t.time.date_time())
    }

    /// Every notification typed at once, in answer order.
    pub fn into_events(self) -> PushEvents {
        let mut found = PushEvents {
            events: Vec::with_capacity(self.len()),
            undelivered: Vec::new(),
        };
        for position in 0..self.len() {
            match self.event(position) {
                Ok(event) => found.events.push(event),
                Err(undelivered) => found.undelivered.push(*undelivered),
            }
        }
        found
    }

    /// A body too large to copy: a part of the answer's text, and the notification's text with
    /// `null` in its place (decoded instead, without the body).
    fn large_body(&self, raw: &str, start: usize) -> Option<(RawJson, String)> {
        #[derive(Deserialize)]
        struct Body<'a> {
            #[serde(borrow)]
            body: &'a RawValue,
        }
        if raw.len() <= KEEP_RAW_UP_TO {
            return None;
        }
        let body = serde_json::from_str::<Body<'_>>(raw).ok()?.body.get();
        if body.len() <= KEEP_RAW_UP_TO {
            return None;
        }
        let at = body.as_ptr() as usize - raw.as_ptr() as usize;
        let shared = RawJson::shared(&self.text, start + at..start + at + body.len()).ok()?;
        let without = format!("{}null{}", &raw[..at], &raw[at + body.len()..]);
        Some((shared, without))
    }
}

enum Failed {
    Api(types::PushEventError),
    Invalid(serde_json::Error),
}

/// Where each notification's `data` is; `Ok(empty)` for ORCA's 0007.
fn data_ranges(text: &str) -> Result<Vec<Range<usize>>, Failed> {
    let elements = match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(elements) => elements,
        Err(error) => return not_a_list(text, error),
    };
    let mut data = Vec::with_capacity(elements.len());
    for element in elements {
        if let Some(found) = element_data(element)? {
            data.push(offset(text, found));
        }
    }
    Ok(data)
}

impl IntoIterator for PushAnswer {
    type Item = Result<PushEvent, Box<Undelivered>>;
    type IntoIter = Box<dyn Iterator<Item = Self::Item> + Send>;

    /// Each notification typed when it is reached (the answer is dropped with the iterator).
    fn into_iter(self) -> Self::IntoIter {
        Box::new((0..self.len()).map(move |at| self.event(at)))
    }
}

/// The `data` of one element; `None` for nothing to deliver (0007).
fn element_data(element: &RawValue) -> Result<Option<&RawValue>, Failed> {
    #[derive(Deserialize)]
    struct Element<'a> {
        #[serde(borrow, default)]
        data: Option<&'a RawValue>,
        #[serde(borrow, default)]
        error: Option<&'a RawValue>,
    }
    if let Ok(Element {
        data: Some(data),
        error: None,
    }) = serde_json::from_str(element.get())
    {
        return Ok(Some(data));
    }
    // Anything else is read as the typed answer reads it (an error element fails the answer).
    match serde_json::from_str::<PushEventListItem>(element.get()) {
        Ok(PushEventListItem::Envelope(_)) => match serde_json::from_str(element.get()) {
            Ok(Element {
                data: Some(data), ..
            }) => Ok(Some(data)),
            _ => Ok(None),
        },
        // "Nothing matched" next to notifications: they are kept.
        Ok(PushEventListItem::ErrorEnvelope(envelope)) => no_match(envelope.error).map(|()| None),
        Err(error) => Err(Failed::Invalid(error)),
    }
}

/// An answer that is not a list: an error object, or not this API's answer at all.
fn not_a_list(text: &str, list_error: serde_json::Error) -> Result<Vec<Range<usize>>, Failed> {
    match serde_json::from_str::<PushEventGetResponse>(text) {
        Ok(PushEventGetResponse::ErrorEnvelope(envelope)) => no_match(envelope.error),
        Ok(PushEventGetResponse::Error(error)) => no_match(error),
        Ok(PushEventGetResponse::List(_)) => Err(Failed::Invalid(list_error)),
        Err(error) => Err(Failed::Invalid(error)),
    }
    .map(|()| Vec::new())
}

/// ORCA's 0007 ("nothing matched") is no failure; every other code is.
fn no_match(error: types::PushEventError) -> Result<(), Failed> {
    if error.code == iryo_orca_codes::PushErrorCode::NoPushEvents {
        return Ok(());
    }
    Err(Failed::Api(error))
}

fn offset(text: &str, part: &RawValue) -> Range<usize> {
    let start = part.get().as_ptr() as usize - text.as_ptr() as usize;
    start..start + part.get().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"data":{"uuid":"2f3c1c5e-1d35-4a53-9b5e-0a0f8a3a1b2c","id":1,"event":"x","user":"u","body":{},"time":"2026-01-01T00:00:00+0900"}}"#;

    fn list(text: &str) -> PushAnswer {
        match PushAnswer::read(text.to_owned()) {
            Reading::List(answer) => answer,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_notification_without_uuid_is_named_and_the_others_delivered() {
        let bad = r#"{"data":{"id":7,"event":"patient_accept\u001b[31m","user":"u","body":{},"time":"2026-01-01T00:00:00+0900"}}"#;
        let found = list(&format!("[{GOOD},{bad},{GOOD}]")).into_events();
        assert_eq!(found.events.len(), 2);
        let named = &found.undelivered[0];
        assert_eq!((named.position, named.uuid.as_deref()), (Some(1), None));
        assert_eq!(named.id.as_deref(), Some("7"));
        let shown = named.to_string();
        assert!(shown.contains("#1") && shown.contains("no uuid"), "{shown}");
        assert!(!shown.contains('\u{1b}'), "{shown}");
    }

    #[test]
    fn error_answers_fail_and_0007_is_an_empty_list() {
        for text in [
            r#"[{"error":{"code":"0089"}}]"#,
            r#"{"error":{"code":"0089"}}"#,
            r#"{"code":"0089","message":"m"}"#,
        ] {
            assert!(
                matches!(PushAnswer::read(text.to_owned()), Reading::Api(_)),
                "{text}"
            );
        }
        assert_eq!(list(r#"{"error":{"code":"0007"}}"#).len(), 0);
        assert_eq!(
            list(&format!("[{GOOD},{{\"error\":{{\"code\":\"0007\"}}}}]")).len(),
            1
        );
        for text in ["{}", "[1]", "[{\"x\":1}]", "nonsense"] {
            assert!(
                matches!(PushAnswer::read(text.to_owned()), Reading::Invalid(..)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_large_body_is_shared_with_the_answer_not_copied() {
        let body = format!("[{}0]", "0,".repeat(KEEP_RAW_UP_TO));
        let element = GOOD.replace(r#""body":{}"#, &format!(r#""body":{body}, "extra":1"#));
        let answer = list(&format!("[{element}]"));
        let event = answer.event(0).unwrap();
        let crate::PushEventBody::Unknown { body: kept, .. } = &event.body else {
            panic!("{:?}", event.event)
        };
        assert_eq!(kept.get(), body);
        assert_eq!(
            kept.get().as_ptr(),
            answer.text[answer.data[0].clone()]
                .find('[')
                .map(|at| answer.text[answer.data[0].start + at..].as_ptr())
                .unwrap()
        );
        assert_eq!(event.extra.len(), 1);
        assert_eq!(
            answer.time(0).unwrap().to_rfc3339(),
            "2026-01-01T00:00:00+09:00"
        );
    }
}
