//! FluxA in an incident: nothing is minted for a run (its JWT is short-lived already), and
//! neither the refresh token nor a JWT can be replaced from here.

use crate::context::Ctx;
use crate::error::Result;
use crate::service::{Incident, Rotation, RunCredential};
use crate::session::Session;

pub struct FluxaIncident;

impl Incident for FluxaIncident {
    fn mint_run(
        &self,
        _ctx: &Ctx,
        _session: &Session,
        _name: &str,
    ) -> Result<Option<RunCredential>> {
        Ok(None)
    }

    fn revoke_run(&self, _ctx: &Ctx, _session: &Session, _id: &str) -> Result<()> {
        Ok(())
    }

    fn revoke_spares(&self, _ctx: &Ctx, _name: &str) -> Vec<(String, Result<()>)> {
        Vec::new()
    }

    fn rotate(&self, _ctx: &Ctx, _name: &str, kind: &str) -> Rotation {
        Rotation::Cannot(if kind == "jwt" {
            "a FluxA JWT cannot be revoked from here; it expires by itself within its short \
             lifetime. If the refresh token leaked too, see what to do for it"
                .into()
        } else {
            "FluxA offers no way to replace an agent's refresh token: have the agent's owner \
             remove the agent in the FluxA wallet, then register it again \
             (`agentcred register fluxa`); until then freeze the profile (`agentcred freeze`)"
                .into()
        })
    }
}
