//! Fluxra service of the sandbox (not emulated yet: every route answers 404 in
//! Fluxra's error envelope).

use axum::Router;
use serde::{Deserialize, Serialize};

use super::AppState;

/// Fluxra's part of the state document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FluxraState {}

pub fn router() -> Router<AppState> {
    Router::new()
}
