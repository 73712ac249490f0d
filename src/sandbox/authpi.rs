//! AuthPI service of the sandbox (not emulated yet: every route answers 404 in
//! AuthPI's error envelope).

use axum::Router;
use serde::{Deserialize, Serialize};

use super::AppState;

/// AuthPI's part of the state document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthpiState {}

/// The Core API (`/authpi/api`).
pub fn router() -> Router<AppState> {
    Router::new()
}

/// The IdP (`/authpi/idp`).
pub fn idp_router() -> Router<AppState> {
    Router::new()
}
