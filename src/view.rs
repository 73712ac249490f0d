//! The result of an operation as data: what a service computes for a command that reports
//! something (`limits show`, `limits set`, ...), handed back to its caller instead of printed.
//! The command line renders it (text or `--json`, through [`crate::output::Printer::print`]);
//! MCP or the gateway can return [`View::to_json`] as it is. Warnings about the operation
//! still go to the caller's printer as they happen; the view is the result only.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::output::{Human, Render};

/// A view of any type, as a capability hands it out.
pub trait View: Send {
    /// The `--json` document (without `schema_version`).
    fn to_json(&self) -> Result<Value>;
    /// The text a person reads.
    fn human(&self, out: &mut Human);
}

impl<T: Render + Send> View for T {
    fn to_json(&self) -> Result<Value> {
        serde_json::to_value(self)
            .map_err(|e| Error::internal(format!("cannot serialize the result: {e}")))
    }

    fn human(&self, out: &mut Human) {
        Render::human(self, out);
    }
}

impl Serialize for dyn View {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json()
            .map_err(|e| serde::ser::Error::custom(e.message))?
            .serialize(serializer)
    }
}

impl Render for Box<dyn View> {
    fn human(&self, out: &mut Human) {
        self.as_ref().human(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        #[serde(rename = "agent_id")]
        id: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        amounts: Vec<u64>,
    }

    impl Render for Sample {
        fn human(&self, out: &mut Human) {
            out.line(self.id);
        }
    }

    #[test]
    fn a_boxed_view_serializes_as_the_view_itself() {
        let sample = || Sample {
            id: "agt_1",
            note: None,
            amounts: vec![1, 250],
        };
        let direct = serde_json::to_value(sample()).unwrap();
        let boxed: Box<dyn View> = Box::new(sample());
        assert_eq!(boxed.to_json().unwrap(), direct);
        // What the printer serializes: the box, through `Serialize for dyn View`.
        assert_eq!(serde_json::to_value(&boxed).unwrap(), direct);
        assert_eq!(
            direct,
            serde_json::json!({ "agent_id": "agt_1", "amounts": [1, 250] })
        );
    }
}
