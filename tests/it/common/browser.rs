//! Chromium through chromedriver. Under CI=true a missing browser fails the
//! test; elsewhere the test is skipped with a loud message.
use std::{
    net::TcpListener,
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const INSTALL: &str = "apt-get install chromium chromium-driver";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Chromium is chromedriver's child: killing only the driver would leave
    /// the browser running after the test, so the whole process group goes.
    fn drop(&mut self) {
        let group = rustix::process::Pid::from_child(&self.driver);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts chromedriver and a headless Chromium of `width`×`height`, or returns
/// None (outside CI) when they are not installed.
pub async fn start(width: u32, height: u32) -> Option<Browser> {
    let driver_bin = which("chromedriver");
    let chrome_bin = which("chromium")
        .or_else(|| which("chromium-browser"))
        .or_else(|| which("google-chrome"));
    let (Some(driver_bin), Some(chrome_bin)) = (driver_bin, chrome_bin) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("browser tests must run under CI=true, but chromium/chromedriver are missing: {INSTALL}");
        }
        eprintln!("\n************************************************************");
        eprintln!("SKIPPING BROWSER TEST: chromium and chromedriver not found.");
        eprintln!("Install them with: {INSTALL}");
        eprintln!("************************************************************\n");
        return None;
    };
    // fantoccini's HTTP client needs a process-wide rustls provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = free_port();
    let driver = Command::new(driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = json!({
        "goog:chromeOptions": {
            "binary": chrome_bin,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    // Desktop Chromium will not open a window narrower than 500 px: emulate a phone instead.
    if width < 500 {
        caps["goog:chromeOptions"]["mobileEmulation"] = json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true}
        });
    }
    let caps = caps.as_object().cloned().expect("caps");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let client = loop {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not start: {e}"),
        }
    };
    Some(Browser {
        client,
        driver,
        _profile: profile,
    })
}

pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl Browser {
    pub async fn el(&self, id: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&testid(id)))
            .await
            .unwrap_or_else(|e| panic!("element {id} did not appear: {e}"))
    }

    pub async fn css(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("element {css} did not appear: {e}"))
    }

    pub async fn fill(&self, id: &str, text: &str) {
        let el = self.el(id).await;
        el.clear().await.expect("clear");
        // A React-controlled field may put its value back after a clear()
        // (it fires no input event); select-all and erase as a person would.
        el.send_keys("\u{E009}a\u{E000}\u{E003}")
            .await
            .expect("erase");
        el.send_keys(text).await.expect("type");
    }

    /// Sets a field's value as a paste or a date picker does (React sees an
    /// input event), for a field that already holds text.
    pub async fn set_value(&self, id: &str, text: &str) {
        let script = r#"
            const [id, text] = arguments;
            const el = document.querySelector(`[data-testid="${id}"]`);
            const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
            Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, text);
            el.dispatchEvent(new Event('input', {bubbles: true}));
        "#;
        self.el(id).await;
        self.client
            .execute(script, vec![json!(id), json!(text)])
            .await
            .expect("set the value");
    }

    /// Types into the element `css` matches (server-rendered pages have ids, not testids).
    pub async fn fill_css(&self, css: &str, text: &str) {
        let el = self.css(css).await;
        el.clear().await.expect("clear");
        el.send_keys(text).await.expect("type");
    }

    pub async fn click(&self, id: &str) {
        self.el(id).await.click().await.expect("click");
    }

    /// Waits for visible text anywhere on the page.
    pub async fn text(&self, text: &str) -> fantoccini::elements::Element {
        let xpath = format!("//*[contains(normalize-space(text()), \"{text}\")]");
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("text {text:?} did not appear: {e}"))
    }

    pub async fn exists(&self, id: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(&testid(id)))
            .await
            .expect("find")
            .is_empty()
    }

    /// Saves a screenshot under target/screenshots for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }
}
