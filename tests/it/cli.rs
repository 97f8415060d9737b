//! The `wafunnel` binary as operators run it: with and without a running server.
use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Output, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use redb::ReadableDatabase;
use serde_json::json;

use crate::common::{Client, Harness};

const BIN: &str = env!("CARGO_BIN_EXE_wafunnel");

fn wafunnel(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::null())
        .output()
        .expect("run wafunnel")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn tenants_and_users_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let created = wafunnel(
        d,
        &[
            "tenant",
            "create",
            "--name",
            "Acme Cars",
            "--owner-email",
            "boss@acme.test",
            "--owner-password",
            "long-password",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let business = stdout(&created).split('\t').next().unwrap().to_string();
    assert_eq!(business.len(), 26);
    let listed = wafunnel(d, &["tenant", "list"]);
    assert!(
        stdout(&listed).contains("Acme Cars\t1\t"),
        "{}",
        stdout(&listed)
    );

    let lead = wafunnel(
        d,
        &[
            "user",
            "create",
            "--email",
            "lea@acme.test",
            "--name",
            "Lea",
            "--password",
            "long-password",
            "--business",
            &business,
            "--role",
            "lead",
        ],
    );
    assert!(lead.status.success(), "{}", stderr(&lead));
    let admin = wafunnel(
        d,
        &[
            "user",
            "create",
            "--email",
            "ops@host.test",
            "--name",
            "Ops",
            "--password",
            "long-password",
            "--admin",
        ],
    );
    assert!(admin.status.success(), "{}", stderr(&admin));
    let users = stdout(&wafunnel(d, &["user", "list", "--business", &business]));
    assert!(
        users.contains("lea@acme.test\tLea\tuser\tlead") && users.contains("boss@acme.test"),
        "{users}"
    );
    assert!(!users.contains("ops@host.test"));
    assert!(stdout(&wafunnel(d, &["user", "list"])).contains("ops@host.test\tOps\tadmin"));
    let nobody = wafunnel(
        d,
        &["user", "list", "--business", "01M8GXW5032XMQPPQCBAXTQZZZ"],
    );
    assert!(!nobody.status.success(), "an unknown business is an error");

    let dup = wafunnel(
        d,
        &[
            "user",
            "create",
            "--email",
            "LEA@acme.test",
            "--name",
            "Lea",
            "--password",
            "long-password",
        ],
    );
    assert_eq!(dup.status.code(), Some(1));
    assert_eq!(
        stderr(&dup).lines().count(),
        1,
        "one-line error: {}",
        stderr(&dup)
    );
    let reset = wafunnel(
        d,
        &[
            "user",
            "reset-password",
            "--email",
            "lea@acme.test",
            "--password",
            "brand-new-pass",
        ],
    );
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert!(wafunnel(d, &["check"]).status.success());
}

#[test]
fn a_second_business_for_an_existing_owner_leaves_their_password_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = &[
        "tenant",
        "create",
        "--name",
        "Acme Cars",
        "--owner-email",
        "boss@acme.test",
        "--owner-password",
        "long-password",
    ];
    assert!(wafunnel(d, first).status.success());
    // No password and no terminal: a new owner would get a generated one.
    let second = wafunnel(
        d,
        &[
            "tenant",
            "create",
            "--name",
            "Acme Bikes",
            "--owner-email",
            "BOSS@acme.test",
        ],
    );
    assert!(second.status.success(), "{}", stderr(&second));
    let (out, err) = (stdout(&second), stderr(&second));
    assert_eq!(
        out.lines().count(),
        1,
        "stdout keeps its one line for scripts: {out}"
    );
    assert!(out.contains("\tAcme Bikes\tboss@acme.test"), "{out}");
    assert!(
        !err.contains("generated password"),
        "no password was set, none is shown: {err}"
    );
    assert!(
        err.contains("boss@acme.test already had an account"),
        "{err}"
    );
    let member = wafunnel(
        d,
        &[
            "user",
            "create",
            "--email",
            "boss@acme.test",
            "--name",
            "Other Name",
            "--password",
            "another-password",
            "--business",
            out.split('\t').next().unwrap(),
        ],
    );
    assert_eq!(
        member.status.code(),
        Some(1),
        "already the owner there: {}",
        stderr(&member)
    );
    let users = stdout(&wafunnel(d, &["user", "list"]));
    assert!(users.contains("boss@acme.test\tboss\t"), "{users}");
    assert!(!users.contains("Other Name"), "{users}");
}

#[test]
fn a_bad_config_names_the_key_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[server]\nlisten = 8080\n").unwrap();
    let out = wafunnel(dir.path(), &["check", "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("server.listen"), "{}", stderr(&out));
    let out = Command::new(BIN)
        .args(["check", "--data-dir"])
        .arg(dir.path())
        .env("WAFUNNEL_LOG_FORMAT", "yaml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("log.format"), "{}", stderr(&out));
    let out = Command::new(BIN)
        .args(["check", "--data-dir"])
        .arg(dir.path())
        .env("WAFUNNEL_OUTBOUND_RATE_PER_SECOND", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("outbound.rate_per_second"),
        "{}",
        stderr(&out)
    );
}

fn dump(path: &Path) -> BTreeMap<(String, Vec<u8>), Vec<u8>> {
    let db = redb::Database::open(path).unwrap();
    let read = db.begin_read().unwrap();
    let mut out = BTreeMap::new();
    for spec in wafunnel::schema::tables() {
        let name = wafunnel::store::table_name(spec.def);
        let table = read.open_table(spec.def).unwrap();
        for item in table.range::<&[u8]>(..).unwrap() {
            let (k, v) = item.unwrap();
            out.insert((name.clone(), k.value().to_vec()), v.value().to_vec());
        }
    }
    out
}

/// Writers create teams named `w{writer}-{seq}` in order, so a consistent
/// snapshot holds, for each writer, exactly a prefix of its sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_under_64_writers_restores_a_consistent_snapshot() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let token = owner
        .post("/api/tokens", json!({"name": "load"}))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..64 {
        let api = Client::with_bearer(&h.base, &token);
        let stop = stop.clone();
        writers.push(tokio::spawn(async move {
            let mut seq = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let r = api
                    .post("/api/teams", json!({"name": format!("w{w:02}-{seq:05}")}))
                    .await;
                assert_eq!(r.status, 201, "{}", r.body);
                seq += 1;
            }
            seq
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let data_dir = h.dir.path().to_path_buf();
    let backup_file = tempfile::tempdir().unwrap();
    let out_path = backup_file.path().join("snapshot.redb");
    let out = out_path.clone();
    let dd = data_dir.clone();
    let backup = tokio::task::spawn_blocking(move || {
        wafunnel(&dd, &["backup", "--out", out.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(
        backup.status.success(),
        "backup while serving: {}",
        stderr(&backup)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    let Harness { server, dir, .. } = h;
    server.stop();

    let fresh = tempfile::tempdir().unwrap();
    let restored = wafunnel(
        fresh.path(),
        &["restore", "--from", out_path.to_str().unwrap()],
    );
    assert!(restored.status.success(), "{}", stderr(&restored));
    let check = wafunnel(fresh.path(), &["check"]);
    assert!(
        check.status.success(),
        "check after restore: {}{}",
        stdout(&check),
        stderr(&check)
    );
    let again = wafunnel(
        fresh.path(),
        &["restore", "--from", out_path.to_str().unwrap()],
    );
    assert_eq!(
        again.status.code(),
        Some(1),
        "restore refuses to overwrite without --force"
    );

    let snapshot = dump(&fresh.path().join("wafunnel.redb"));
    let live = dump(&dir.path().join("wafunnel.redb"));
    // The writer's commit counter is the one record every commit rewrites.
    let counter = ("meta".to_string(), b"commit_seq".to_vec());
    for (key, value) in snapshot.iter().filter(|(key, _)| **key != counter) {
        assert_eq!(
            live.get(key),
            Some(value),
            "restored record differs from the store: {key:?}"
        );
    }
    let read = crate::common::open_store(fresh.path()).unwrap();
    let teams = wafunnel::tenancy::repo::teams(&read.read().unwrap(), biz.id).unwrap();
    let mut per_writer: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for t in &teams {
        if let Some((w, seq)) = t.name.split_once('-') {
            if w.starts_with('w') {
                per_writer
                    .entry(w.to_string())
                    .or_default()
                    .push(seq.parse().unwrap());
            }
        }
    }
    let in_snapshot: usize = per_writer.values().map(Vec::len).sum();
    assert!(
        in_snapshot > 0 && (in_snapshot as u32) < written,
        "snapshot {in_snapshot} of {written} writes"
    );
    for (w, mut seqs) in per_writer {
        seqs.sort();
        let expected: Vec<u32> = (0..seqs.len() as u32).collect();
        assert_eq!(
            seqs, expected,
            "writer {w} has a hole: the snapshot is not one commit"
        );
    }
    read.shutdown();
}

#[test]
fn the_binary_serves_accepts_cli_commands_through_the_running_server_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--data-dir"])
        .arg(dir.path())
        .env("WAFUNNEL_META_GRAPH_URL", "http://127.0.0.1:9")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let banner: Vec<String> = lines.by_ref().take(7).map(|l| l.unwrap()).collect();
    assert!(
        banner
            .iter()
            .any(|l| l.contains("owner@demo.wafunnel.test") && l.contains("wafunnel-demo")),
        "{banner:?}"
    );

    let health = reqwest::blocking_get(&format!("{url}/healthz"));
    assert_eq!(health, 200);
    // The store is locked by the server: these go through its control endpoint.
    let created = wafunnel(
        dir.path(),
        &[
            "tenant",
            "create",
            "--name",
            "Live",
            "--owner-email",
            "live@x.test",
            "--owner-password",
            "long-password",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let listed = stdout(&wafunnel(dir.path(), &["tenant", "list"]));
    assert!(
        listed.contains("Live") && listed.contains("Sunrise Motors"),
        "{listed}"
    );
    assert!(wafunnel(dir.path(), &["check"]).status.success());
    let restore = wafunnel(
        dir.path(),
        &["restore", "--from", "/nonexistent", "--force"],
    );
    assert_eq!(restore.status.code(), Some(1));

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful stop exits 0, got {status:?}");
    assert!(!dir.path().join("control.json").exists());
    // The data survived the stop.
    assert!(stdout(&wafunnel(dir.path(), &["tenant", "list"])).contains("Live"));
}

mod reqwest {
    /// A tiny blocking GET for the process test (no async runtime there).
    pub fn blocking_get(url: &str) -> u16 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            ::reqwest::get(url)
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
    }
}

#[test]
fn an_operator_imports_a_csv_of_leads_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let created = wafunnel(
        d,
        &[
            "tenant",
            "create",
            "--name",
            "Loja",
            "--owner-email",
            "dona@loja.test",
            "--owner-password",
            "long-password",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let business = stdout(&created).split('\t').next().unwrap().to_string();
    let csv = d.join("clientes.csv");
    std::fs::write(
        &csv,
        "Cliente;Fone;Cidade\nAna Lima;11 91234-5678;Santos\nBruno;abc;Rio\nCarla;+55 21 99876-5432;Niterói\n",
    )
    .unwrap();

    // Each refusal names what is wrong, and imports nothing.
    let csv_path = csv.to_str().unwrap();
    for (extra, says) in [
        (&["--map", "name=Nome"][..], "`Nome` is not a column"),
        (&["--default-country", "XYZ"][..], "`XYZ` is not"),
        (
            &[
                "--map",
                "name=Cliente,phone=Fone",
                "--pool",
                "01M8GXW5032XMQPPQCBAXTQZZZ",
            ][..],
            "no such channel",
        ),
    ] {
        let mut args = vec!["import", "csv", csv_path, "--business", &business];
        args.extend_from_slice(extra);
        let refused = wafunnel(d, &args);
        assert!(!refused.status.success(), "{args:?}");
        assert!(stderr(&refused).contains(says), "{}", stderr(&refused));
    }

    let out = wafunnel(
        d,
        &[
            "import",
            "csv",
            csv.to_str().unwrap(),
            "--business",
            &business,
            "--map",
            "name=Cliente,phone=Fone,custom:city=Cidade",
            "--default-country",
            "BR",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("2 imported, 1 failed, 0 skipped"), "{text}");
    assert!(text.contains("row 3, column Fone: phone:"), "{text}");

    // The same file again: every good row is now a known contact.
    let again = wafunnel(
        d,
        &[
            "import",
            "csv",
            csv.to_str().unwrap(),
            "--business",
            &business,
            "--map",
            "name=Cliente,phone=Fone",
            "--default-country",
            "BR",
        ],
    );
    assert!(
        stdout(&again).contains("0 imported, 1 failed, 2 skipped"),
        "{}",
        stdout(&again)
    );
    let check = wafunnel(d, &["check"]);
    assert!(check.status.success(), "{}", stdout(&check));
}

#[test]
fn a_mistyped_data_folder_or_command_fails_in_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("dta");
    for args in [
        &["check"][..],
        &["tenant", "list"],
        &["reindex"],
        &["backup", "--out", "/tmp/never-written.redb"],
        &["user", "reset-password", "--email", "a@b.test"],
    ] {
        let o = wafunnel(&missing, args);
        assert!(!o.status.success(), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("no wafunnel store"), "{args:?}: {err}");
        assert!(!err.contains("generated password"), "{args:?}: {err}");
    }
    assert!(!missing.join("wafunnel.redb").exists());
    assert!(!Path::new("/tmp/never-written.redb").exists());

    let o = wafunnel(dir.path(), &["tenant", "list", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
    // The one line names what is missing.
    for (args, named) in [
        (&["import", "csv", "leads.csv"][..], "--business"),
        (&["backup"], "--out"),
        (&["tenant"], "create, list"),
    ] {
        let o = wafunnel(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(named),
            "{args:?}: {err}"
        );
    }
    let help = wafunnel(dir.path(), &["backup", "--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("--out"));
}

/// A data folder holding a store with one business, made by the CLI.
fn store_with_a_business() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let created = wafunnel(
        dir.path(),
        &[
            "tenant",
            "create",
            "--name",
            "Acme",
            "--owner-email",
            "boss@acme.test",
            "--owner-password",
            "long-password",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    dir
}

#[test]
fn a_backup_is_never_written_over_the_store_it_copies() {
    let dir = store_with_a_business();
    let d = dir.path();
    let before = std::fs::read(d.join("wafunnel.redb")).unwrap();
    let live = d.join("wafunnel.redb");
    let o = wafunnel(d, &["backup", "--out", live.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("inside the data folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&live).unwrap(), before);
    // A subfolder of it is fine.
    let kept = d.join("backups").join("nightly.redb");
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    let o = wafunnel(d, &["backup", "--out", kept.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(kept.exists());
}

#[test]
fn a_damaged_backup_is_refused_in_one_line_and_the_store_stays() {
    let dir = store_with_a_business();
    let d = dir.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let good = elsewhere.path().join("good.redb");
    let o = wafunnel(d, &["backup", "--out", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&good).unwrap();
    let before = std::fs::read(d.join("wafunnel.redb")).unwrap();
    // Cut short, overwritten in its middle third (wide enough to hit pages
    // in use wherever the tables fall), and not a store at all.
    let mut scribbled = bytes.clone();
    let len = scribbled.len();
    scribbled[len / 3..2 * len / 3].fill(0xA5);
    let damaged = [
        ("cut.redb", bytes[..bytes.len() / 3].to_vec()),
        ("scribbled.redb", scribbled),
        ("text.redb", b"name,phone\nAna,+5511900000001\n".to_vec()),
    ];
    for (name, content) in damaged {
        let path = elsewhere.path().join(name);
        std::fs::write(&path, content).unwrap();
        let o = wafunnel(d, &["restore", "--from", path.to_str().unwrap(), "--force"]);
        assert!(!o.status.success(), "{name} was restored");
        assert_ne!(o.status.code(), Some(101), "{name}: a panic");
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert_eq!(
            std::fs::read(d.join("wafunnel.redb")).unwrap(),
            before,
            "{name}"
        );
    }
    let check = wafunnel(d, &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let o = wafunnel(d, &["restore", "--from", good.to_str().unwrap(), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_store_and_its_backups_are_readable_by_their_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = store_with_a_business();
    let d = dir.path();
    let backups = tempfile::tempdir().unwrap();
    let out = backups.path().join("nightly.redb");
    let o = wafunnel(d, &["backup", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut checked = 0;
    let mut paths = vec![d.to_path_buf(), out];
    while let Some(p) = paths.pop() {
        let meta = std::fs::metadata(&p).unwrap();
        if meta.is_dir() {
            paths.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
        if p != d {
            let mode = meta.permissions().mode() & 0o777;
            assert_eq!(
                mode & 0o077,
                0,
                "{} is open to others: {mode:o}",
                p.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "the store and the backup at least");
}

#[test]
fn check_on_a_damaged_store_answers_in_one_line_and_never_panics() {
    let sound = store_with_a_business();
    let file = sound.path().join("wafunnel.redb");
    let original = std::fs::read(&file).unwrap();
    // A cheap, repeatable spread of damage past the header: which bytes break
    // redb's own pages (and make it panic) depends on the file's layout.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..24 {
        let mut bytes = original.clone();
        for _ in 0..300 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = 4096 + (seed as usize) % (bytes.len() - 4096);
            bytes[at] ^= (seed >> 32) as u8 | 1;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("wafunnel.redb"), &bytes).unwrap();
        let o = wafunnel(dir.path(), &["check"]);
        let err = stderr(&o);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "round {round}: exit {:?}: {err}",
            o.status.code()
        );
        assert!(err.trim_end().lines().count() <= 1, "round {round}: {err}");
    }
}

#[test]
fn a_backup_says_the_files_of_messages_are_to_be_copied_beside_it() {
    let d = store_with_a_business();
    let out = tempfile::tempdir().unwrap();
    let first = wafunnel(
        d.path(),
        &[
            "backup",
            "--out",
            out.path().join("a.redb").to_str().unwrap(),
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        !stderr(&first).contains("not in the backup"),
        "no files yet: {}",
        stderr(&first)
    );
    let media = d.path().join("media").join("01M8GXW5032XMQPPQCBAXTQZZZ");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("photo"), b"jpeg").unwrap();
    let second = wafunnel(
        d.path(),
        &[
            "backup",
            "--out",
            out.path().join("b.redb").to_str().unwrap(),
        ],
    );
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(stdout(&second).lines().count(), 1, "{}", stdout(&second));
    let note = stderr(&second);
    assert!(
        note.contains("not in the backup") && note.contains("media"),
        "{note}"
    );
}

#[test]
fn a_backup_restored_without_its_facebook_keyring_says_the_pages_must_connect_again() {
    let d = store_with_a_business();
    {
        let store = crate::common::open_store(d.path()).unwrap();
        let business = wafunnel::tenancy::repo::businesses(&store.read().unwrap()).unwrap()[0].id;
        let id = wafunnel::store::ids::RecordId::new();
        // Sealed as the connect does, under a key of the data folder's keyring.
        let vault = wafunnel::channels::facebook::vault::of(d.path()).unwrap();
        let sealed = vault
            .seal(&wafunnel::channels::facebook::login::key_id(id), b"{}")
            .unwrap();
        let login = wafunnel::channels::facebook::login::FbLogin {
            id,
            business_id: business,
            user_hash: "hash-of-ana".into(),
            linked_user: None,
            sealed,
            user_token_expires_at: None,
            connected_at: 1_764_000_000_000,
        };
        store
            .write_blocking(move |ctx| Ok(wafunnel::channels::facebook::login::save(ctx, &login)?))
            .unwrap();
        store.shutdown();
    }
    let out = tempfile::tempdir().unwrap();
    let backup = out.path().join("a.redb");
    let made = wafunnel(d.path(), &["backup", "--out", backup.to_str().unwrap()]);
    assert!(made.status.success(), "{}", stderr(&made));
    let restore = |into: &Path| wafunnel(into, &["restore", "--from", backup.to_str().unwrap()]);

    // The keyring the backup wrote beside itself was not copied with it.
    let keyring = wafunnel::channels::facebook::vault::beside(&backup);
    let kept = std::fs::read(&keyring).expect("the backup wrote the keyring beside it");
    std::fs::remove_file(&keyring).unwrap();
    let bare = tempfile::tempdir().unwrap();
    let o = restore(bare.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let note = stderr(&o);
    assert!(
        note.contains("Facebook sign-ins but no keyring")
            && note.contains("connect Facebook again"),
        "{note}"
    );

    // With it in place: nothing to say.
    std::fs::write(&keyring, kept).unwrap();
    let whole = tempfile::tempdir().unwrap();
    let o = restore(whole.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("keyring"), "{}", stderr(&o));
}
