//! `pusheventgetv2` for people: a request builder with ORCA's own input rules, and typed events.

use uuid::Uuid;

use crate::events::PushEventBody;
use crate::notification::PushEvents;
use crate::time::{OrcaTimestamp, PushTime};
use crate::types::{self, PushEventData};
use crate::{Client, Error};

/// One PUSH notification, its body typed by event name.
#[derive(Clone, Debug, PartialEq)]
pub struct PushEvent {
    /// The notification's identity (deduplicate by this, never by `id`).
    pub uuid: Uuid,
    /// ORCA's sequence number: 1 to 65535, then it starts again at 1.
    pub id: u16,
    /// The event name exactly as received (`patient_infomation`, sic, for patient registrations).
    pub event: String,
    /// The ORCA operator who caused the event.
    pub user: String,
    /// When it was pushed.
    pub time: OrcaTimestamp,
    /// The typed body; unknown events keep their raw JSON.
    pub body: PushEventBody,
    /// Keys of `data` that the spec does not list, kept as received.
    pub extra: iryo_runtime::UnknownFields,
}

impl PushEvent {
    /// Back to the wire shape, unknown keys included.
    pub fn to_data(&self) -> Result<PushEventData, serde_json::Error> {
        Ok(PushEventData {
            uuid: self.uuid,
            id: self.id,
            event: self.event.clone(),
            user: self.user.clone(),
            time: self.time,
            body: self.body.to_wire_body()?,
            extra: self.extra.clone(),
        })
    }

    /// Writes the `data` object as one line of JSON and a newline, in the API's key order: uuid,
    /// id, event, user, body, time, then keys the spec does not list, as received; compact, each
    /// string and number as serde_json writes it, any nesting depth, no tree built. This is the
    /// line `iryo orca push-events` and `iryo orca watch` print and the delivery sinks send.
    pub fn write_json_line(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let typed_body;
        let body = match &self.body {
            PushEventBody::Unknown { body, .. } => body,
            typed => {
                typed_body = typed.to_wire_body().map_err(std::io::Error::from)?;
                &typed_body
            }
        };
        let mut line = iryo_runtime::__private::JsonLine::start(out)?;
        line.value("uuid", &self.uuid)?;
        line.value("id", &self.id)?;
        line.value("event", &self.event)?;
        line.value("user", &self.user)?;
        line.text("body", body.get())?;
        line.value("time", &self.time)?;
        for (key, value) in self.extra.iter() {
            line.text(&key, value.get())?;
        }
        line.finish()
    }

    /// [`PushEvent::write_json_line`] as a string, without the newline.
    pub fn to_json_line(&self) -> Result<String, serde_json::Error> {
        let mut out = Vec::new();
        self.write_json_line(&mut out)
            .map_err(serde_json::Error::io)?;
        out.pop();
        String::from_utf8(out).map_err(|e| {
            let invalid = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
            serde_json::Error::io(invalid)
        })
    }
}

/// A `pusheventgetv2` call being set up: every filter is optional.
#[derive(Debug)]
#[must_use = "a request does nothing until `send` is awaited"]
pub struct PushEventsRequest<'a> {
    client: &'a Client,
    retry: Option<iryo_runtime::RetryPolicy>,
    event: Option<String>,
    user: Option<String>,
    start: Option<PushTime>,
    end: Option<PushTime>,
}

impl<'a> PushEventsRequest<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        PushEventsRequest {
            client,
            retry: None,
            event: None,
            user: None,
            start: None,
            end: None,
        }
    }

    iryo_runtime::setters! {
        /// Only notifications of this event name (e.g. `patient_accept`).
        event(event: impl Into<String>) => event = Some(event.into());
        /// Only notifications caused by this ORCA operator.
        user(user: impl Into<String>) => user = Some(user.into());
        /// Window start (a date means from 00:00, JST).
        start(start: impl Into<PushTime>) => start = Some(start.into());
        /// Window end, inclusive (a date means through 23:59:59, a minute through its last second).
        end(end: impl Into<PushTime>) => end = Some(end.into());
    }

    /// The wire filter, after ORCA's own checks: `event` and `user` half-width (codes 0001,
    /// 0002), start not after end (code 0008). Empty strings count as omitted.
    pub fn filter(&self) -> Result<types::PushEventFilter, Error> {
        if let (Some(start), Some(end)) = (&self.start, &self.end)
            && start.first_second() > end.last_second()
        {
            return Err(Error::InvalidInput {
                field: "start_time",
                reason: format!("start {start} is after end {end} (ORCA code 0008)"),
            });
        }
        Ok(types::PushEventFilter {
            event: half_width("event", "0001", &self.event)?,
            user: half_width("user", "0002", &self.user)?,
            start_time: wire_time("start_time", self.start)?,
            end_time: wire_time("end_time", self.end)?,
        })
    }

    /// Another retry policy for this call than the client's.
    pub fn retry(mut self, policy: iryo_runtime::RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends the request. No match (ORCA code 0007) is `Ok` with an empty list.
    pub async fn send(self) -> Result<PushEvents, Error> {
        let filter = self.filter()?;
        match &self.retry {
            Some(policy) => self.client.push_event_get_v2_with(filter, policy).await,
            None => self.client.push_event_get_v2(filter).await,
        }
    }

    /// Sends the request; the answer's notifications are typed one at a time as they are taken
    /// from it, so that memory is the answer's size plus 16 bytes per notification and one
    /// notification, where [`send`](Self::send) holds them all typed (about 400 bytes each).
    pub async fn send_lazy(self) -> Result<crate::PushAnswer, Error> {
        let filter = self.filter()?;
        let retry = self.retry.as_ref().unwrap_or(self.client.retry_policy());
        self.client.wire_answer(filter, retry).await
    }
}

/// ORCA accepts half-width characters only; we read that as printable ASCII (fixup
/// half-width-means-ascii), and name the first character refused.
fn half_width<T>(
    field: &'static str,
    code: &str,
    value: &Option<String>,
) -> Result<Option<T>, Error>
where
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Some(bad) = value.chars().find(|c| !('\x21'..='\x7e').contains(c)) {
        return Err(Error::InvalidInput {
            field,
            reason: format!(
                "{bad:?} (U+{:04X}) is not a half-width character (ORCA code {code})",
                bad as u32
            ),
        });
    }
    T::try_from(value.to_owned())
        .map(Some)
        .map_err(|e| Error::InvalidInput {
            field,
            reason: e.to_string(),
        })
}

fn wire_time<T>(field: &'static str, value: Option<PushTime>) -> Result<Option<T>, Error>
where
    T: TryFrom<String>,
    T::Error: std::fmt::Display,
{
    value
        .map(|t| T::try_from(t.to_string()))
        .transpose()
        .map_err(|e| Error::InvalidInput {
            field,
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> PushEvent {
        PushEvent::from_json(data).unwrap()
    }

    #[test]
    fn the_json_line_is_in_api_order_with_unknown_keys_and_on_one_line() {
        let line = event(
            "{\"time\":\"2018-01-24T16:02:53+0900\",\"revision\":7,\"body\":{\r\n \"x\": \"a b\",\n\
             \"y\": [1,\n2]},\"user\":\"ormaster\",\"uuid\":\"2df2ef80-8978-4817-b929-c07e4ba39e6f\",\
             \"event\":\"patient_future_thing\",\"id\":1,\"note\":\"n\"}",
        )
        .to_json_line()
        .unwrap();
        assert_eq!(
            line,
            "{\"uuid\":\"2df2ef80-8978-4817-b929-c07e4ba39e6f\",\"id\":1,\
             \"event\":\"patient_future_thing\",\"user\":\"ormaster\",\
             \"body\":{\"x\":\"a b\",\"y\":[1,2]},\"time\":\"2018-01-24T16:02:53+0900\",\
             \"revision\":7,\"note\":\"n\"}"
        );
        let _: serde_json::Value = serde_json::from_str(&line).unwrap();
    }

    #[test]
    fn a_typed_body_prints_in_the_spec_order_as_orca_sends_it() {
        let body = "{\"Patient_Mode\":\"add\",\"Patient_ID\":\"00012\",\"Accept_Date\":\"2018-01-24\",\
                    \"Accept_Time\":\"16:02:53\",\"Department_Code\":\"01\"}";
        let typed = event(&format!(
            "{{\"uuid\":\"2df2ef80-8978-4817-b929-c07e4ba39e6f\",\"id\":1,\"event\":\"patient_accept\",\
             \"user\":\"ormaster\",\"body\":{body},\"time\":\"2018-01-24T16:02:53+0900\"}}"
        ));
        assert!(matches!(typed.body, PushEventBody::PatientAccept(_)));
        let line = typed.to_json_line().unwrap();
        assert!(line.contains(&format!("\"body\":{body},")), "{line}");
    }
}
