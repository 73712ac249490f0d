//! One status view for every service: what `status` reports, computed by the service as data
//! that the command line renders (text or `--json`) and the MCP server returns as it is.
//!
//! - [`StatusCommon`] is the part every profile has, defined once: the profile, its service,
//!   whether it is a sandbox profile, the agent's id and its state at the service, the
//!   spending headroom, and the credentials (each with `expires_at` and `expires_in_s`, `null`
//!   for a secret that does not expire). `status --all` lists it for every profile. A field
//!   added here is added to every service's status.
//! - [`StatusDetails`] is what only one service reports; it goes under `details`.
//! - Schema version 1 is kept additive: each service's fields were top-level before they moved
//!   under `details`, so they are also still printed at the top level for one release, marked
//!   `deprecated` in the published schema (and so is `local`, which `credentials` replaces).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::health::{AgentState, Budget, CredentialFact};
use crate::local::LocalFacts;
use crate::output::{Human, Render};
use crate::spec::Provider;

/// What every profile's status has, whatever its service.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StatusCommon {
    pub profile: String,
    pub provider: Provider,
    pub sandbox: bool,
    /// The agent's id at its service.
    pub agent_id: String,
    /// The agent's state as its service reports it; `null` when the service was not asked
    /// (`status --all`) or does not say.
    pub agent_status: Option<AgentState>,
    /// The spending headroom; `null` when the service has none or was not asked.
    pub budget: Option<Budget>,
    /// The profile's secrets: where each is and when it expires (never a value).
    pub credentials: Vec<CredentialFact>,
    /// Deprecated: the same facts as `credentials`; removed in the next release.
    #[schemars(extend("deprecated" = true))]
    pub local: LocalFacts,
}

impl StatusCommon {
    /// The common part from what the profile holds locally; the service fills in the rest.
    pub fn new(
        profile: &str,
        provider: Provider,
        sandbox: bool,
        agent_id: &str,
        local: LocalFacts,
    ) -> StatusCommon {
        StatusCommon {
            profile: profile.to_owned(),
            provider,
            sandbox,
            agent_id: agent_id.to_owned(),
            agent_status: None,
            budget: None,
            credentials: local.credentials(),
            local,
        }
    }
}

/// What only one service's status reports, and how it reads for a person (given the
/// common part, which its text shows too).
pub trait StatusDetails: Serialize + schemars::JsonSchema + Send + 'static {
    fn human(&self, common: &StatusCommon, out: &mut Human);
}

/// A profile's status: the common part and its service's details.
pub struct StatusView<D> {
    pub common: StatusCommon,
    pub details: D,
}

/// A [`StatusView`] of any service, as the registry hands it out.
pub trait StatusReport: Send {
    /// The `--json` document (without `schema_version`).
    fn to_json(&self) -> Result<Value>;
    fn human(&self, out: &mut Human);
}

impl<D: StatusDetails> StatusReport for StatusView<D> {
    fn to_json(&self) -> Result<Value> {
        let encode = |value: Result<Value, serde_json::Error>| {
            value.map_err(|e| Error::internal(format!("cannot serialize the status: {e}")))
        };
        merged(
            encode(serde_json::to_value(&self.common))?,
            encode(serde_json::to_value(&self.details))?,
        )
    }

    fn human(&self, out: &mut Human) {
        self.details.human(&self.common, out);
    }
}

/// The `--json` document: the common fields, the details under `details`, and the details'
/// deprecated top-level copies where no common field has the name.
fn merged(common: Value, details: Value) -> Result<Value> {
    let Value::Object(mut map) = common else {
        return Err(Error::internal("the status is not a JSON object"));
    };
    if let Value::Object(fields) = &details {
        for (key, value) in fields {
            if !map.contains_key(key) {
                map.insert(key.clone(), value.clone());
            }
        }
    }
    map.insert("details".into(), details);
    Ok(Value::Object(map))
}

impl Serialize for dyn StatusReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json()
            .map_err(|e| serde::ser::Error::custom(e.message))?
            .serialize(serializer)
    }
}

impl Render for Box<dyn StatusReport> {
    fn human(&self, out: &mut Human) {
        self.as_ref().human(out);
    }
}

impl<D: StatusDetails> schemars::JsonSchema for StatusView<D> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("StatusView_{}", D::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let common = inline::<StatusCommon>(generator);
        let details = inline::<D>(generator);
        let mut properties = object(&common, "properties");
        let mut required = list(&common, "required");
        for (key, value) in object(&details, "properties") {
            if properties.contains_key(&key) {
                continue;
            }
            let mut value = value;
            if let Value::Object(field) = &mut value {
                field.insert("deprecated".into(), Value::Bool(true));
                field.insert(
                    "description".into(),
                    Value::String(format!(
                        "Deprecated: the same as `details.{key}`; removed from the top level in the next release."
                    )),
                );
            }
            properties.insert(key, value);
        }
        for key in list(&details, "required") {
            if !required.contains(&key) {
                required.push(key);
            }
        }
        properties.insert("details".into(), details.to_value());
        required.push(Value::String("details".into()));
        let mut schema = Map::new();
        schema.insert("type".into(), Value::String("object".into()));
        schema.insert("properties".into(), Value::Object(properties));
        schema.insert("required".into(), Value::Array(required));
        schemars::Schema::from(schema)
    }
}

/// The schema of `T` with its properties at hand (the published schemas inline every
/// subschema; a `$ref` would hide them).
fn inline<T: schemars::JsonSchema>(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let schema = generator.subschema_for::<T>();
    if schema.get("$ref").is_some() {
        // Not inlined by this generator: the definition it points at.
        return T::json_schema(generator);
    }
    schema
}

fn object(schema: &schemars::Schema, key: &str) -> Map<String, Value> {
    schema
        .get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn list(schema: &schemars::Schema, key: &str) -> Vec<Value> {
    schema
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// What `status` may ask a service for besides the profile (the wallet network and the number
/// of recent transactions, for a service that lists them).
#[derive(Debug, Clone, Default)]
pub struct StatusQuery {
    pub network: Option<String>,
    pub tx_limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, schemars::JsonSchema)]
    struct Details {
        agent_id: String,
        color: String,
    }

    impl StatusDetails for Details {
        fn human(&self, common: &StatusCommon, out: &mut Human) {
            out.line(format!("{} is {}", common.profile, self.color));
        }
    }

    #[test]
    fn details_go_under_details_and_stay_at_the_top_where_no_common_field_is() {
        let json = merged(
            serde_json::json!({"profile": "p", "agent_id": "common-id", "budget": null}),
            serde_json::json!({"agent_id": "their-id", "color": "blue"}),
        )
        .unwrap();
        assert_eq!(json["details"]["color"], "blue");
        assert_eq!(json["color"], "blue", "the deprecated top-level copy");
        // A common field of the same name wins at the top level.
        assert_eq!(json["agent_id"], "common-id");
        assert_eq!(json["details"]["agent_id"], "their-id");
        assert!(json["budget"].is_null());
    }

    #[test]
    fn the_schema_marks_only_the_moved_fields_deprecated() {
        let schema = crate::output::schema_of::<StatusView<Details>>();
        let props = schema.get("properties").unwrap();
        assert_eq!(props["color"]["deprecated"], true);
        assert!(props["agent_id"].get("deprecated").is_none());
        assert!(props["profile"].get("deprecated").is_none());
        assert!(props["details"]["properties"]["color"].is_object());
        assert_eq!(props["local"]["deprecated"], true);
    }
}
