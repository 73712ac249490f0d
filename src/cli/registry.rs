//! The clap types of the services' own commands, `register SERVICE` and the nouns one service
//! has (its keys, verifiers, tokens, cards), built from the registry's table
//! (`services::with_service_commands`), so that a new service is one line there and nothing
//! here. Each variant wraps the arguments type of the service's `args.rs`, which converts
//! itself into the plain input the service's operation takes.

use crate::context::Ctx;
use crate::error::Result;
use crate::view::View;

macro_rules! build {
    (
        register: [$($service:ident($register_args:ty, $register:path) $register_help:literal),* $(,)?],
        nouns: [$($noun:ident($noun_command:ty, $run:path) $noun_help:literal),* $(,)?] $(,)?
    ) => {
        /// `agentcred register SERVICE`.
        #[derive(Debug, clap::Subcommand)]
        pub enum RegisterCommand {
            $(
                #[doc = $register_help]
                $service($register_args),
            )*
        }

        impl RegisterCommand {
            /// Register the agent; what was registered comes back as a view for the caller to
            /// render.
            pub fn run(self, ctx: &Ctx) -> Result<Box<dyn View>> {
                match self {
                    $(RegisterCommand::$service(args) => $register(ctx, args.into()),)*
                }
            }
        }

        /// The nouns that belong to one service.
        #[derive(Debug, clap::Subcommand)]
        pub enum ServiceCommand {
            $(
                #[doc = $noun_help]
                #[command(subcommand)]
                $noun($noun_command),
            )*
        }

        impl ServiceCommand {
            /// Whether the command shows a new secret, which `--reveal` prints.
            pub fn shows_new_secret(&self) -> bool {
                match self {
                    $(ServiceCommand::$noun(command) => command.shows_new_secret(),)*
                }
            }

            /// Run the noun; what it did comes back as a view for the caller to render (or
            /// return).
            pub fn run(self, ctx: &Ctx) -> Result<Box<dyn View>> {
                match self {
                    $(ServiceCommand::$noun(command) => $run(ctx, command.into()),)*
                }
            }
        }
    };
}

crate::services::with_service_commands!(build);
