//! Proxy service of the sandbox (not emulated yet: every route answers 404 in
//! Proxy's error envelope).

use axum::Router;
use serde::{Deserialize, Serialize};

use super::AppState;

/// Proxy's part of the state document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProxyState {}

pub fn router() -> Router<AppState> {
    Router::new()
}
