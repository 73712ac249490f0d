//! FluxA's command line: the clap types of its commands (help text and flags), each turned
//! into the plain input its operation takes. Nothing but this file in the service knows clap.

use clap::Args;

#[derive(Debug, Args)]
pub struct RegisterFluxaArgs {
    /// The agent's display name
    #[arg(long)]
    pub name: String,
    /// Contact email for the agent (optional)
    #[arg(long)]
    pub email: Option<String>,
    /// A short identifier of the client software
    #[arg(long, value_name = "TEXT")]
    pub client_info: Option<String>,
}

impl From<RegisterFluxaArgs> for super::register::Registration {
    fn from(args: RegisterFluxaArgs) -> Self {
        super::register::Registration {
            name: args.name,
            email: args.email,
            client_info: args.client_info,
        }
    }
}
