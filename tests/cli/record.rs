//! A shared record (the vault document) that changes where a profile's secrets are sent is
//! not followed: anyone who can write the document could otherwise redirect every host's
//! refreshes. It is refused (exit 2, old and new named) until accepted on that host.

use serde_json::Value;

use crate::support::{Bao, Home, Server};

fn host(server: &Server, bao: &Bao) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    bao.configure(&mut home);
    home
}

/// Replace the document's record endpoints, as anyone with write access to it could.
fn repoint(bao: &Bao, profile: &str, endpoint: &str, url: &str) {
    let mut data = bao.document(profile).expect("the profile's document");
    data["record"]["endpoints"][endpoint] = Value::String(url.to_owned());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let status = reqwest::blocking::Client::new()
        .post(format!("{}/v1/secret/data/agentcred/{profile}", bao.addr))
        .header("X-Vault-Token", Bao::TOKEN)
        .json(&serde_json::json!({ "data": data }))
        .send()
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}

#[test]
fn a_rewritten_shared_record_does_not_re_point_another_host_until_accepted_there() {
    let server = Server::start();
    let bao = Bao::start();
    let first = host(&server, &bao);
    first
        .run(&[
            "--profile",
            "fleet",
            "register",
            "fluxra",
            "--name",
            "fleet-bot",
        ])
        .ok();
    let mut second = host(&server, &bao);
    second.run(&["--profile", "fleet", "token"]).ok();
    let config_before = second.config_text();

    // The same sandbox under another name stands for "somewhere else".
    let old = server.url("AGENTCRED_FLUXRA_URL");
    let new = old.replace("127.0.0.1", "localhost");
    repoint(&bao, "fleet", "api", &new);
    second.env.retain(|(k, _)| k != "AGENTCRED_FLUXRA_URL");
    let run = second.run(&["--profile", "fleet", "refresh"]).code(2);
    run.mentions(&[&old, &new, "profiles remove fleet"]);
    assert_eq!(
        second.config_text(),
        config_before,
        "the host's record was not changed"
    );
    let json = second
        .run(&["--json", "--profile", "fleet", "token"])
        .code(2);
    assert_eq!(json.error_json()["error"]["code"], "usage");

    // Accepted on this host: forget the profile here, learn the record anew.
    second.run(&["profiles", "remove", "fleet", "--yes"]).ok();
    second.run(&["--profile", "fleet", "token"]).ok();
    let config = second.config_text();
    assert!(config.contains(&new), "{config}");
}
