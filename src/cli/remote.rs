//! Runs an operation inside the server that holds the data folder, through the
//! control endpoint it advertises in `control.json`.
use std::path::Path;

use serde::Deserialize;

use super::ops::Op;
use crate::{http::control::HEADER, server::CONTROL_FILE};

#[derive(Deserialize)]
struct ControlFile {
    addr: String,
    secret: String,
}

#[derive(Deserialize)]
struct Answer {
    ok: bool,
    output: Option<String>,
    error: Option<String>,
}

pub fn execute(data_dir: &Path, op: &Op) -> Result<String, String> {
    let path = data_dir.join(CONTROL_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "the data folder is locked by a running wafunnel, but {} cannot be read ({e})",
            path.display()
        )
    })?;
    let control: ControlFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let res = reqwest::Client::new()
            .post(format!("http://{}/internal/cli", control.addr))
            .header(HEADER, control.secret)
            .json(op)
            .send()
            .await
            .map_err(|e| format!("cannot reach the running server at {}: {e}", control.addr))?;
        if !res.status().is_success() {
            return Err(format!(
                "the running server refused the command ({})",
                res.status()
            ));
        }
        let answer: Answer = res.json().await.map_err(|e| e.to_string())?;
        if answer.ok {
            Ok(answer.output.unwrap_or_default())
        } else {
            Err(answer.error.unwrap_or_else(|| "the command failed".into()))
        }
    })
}
