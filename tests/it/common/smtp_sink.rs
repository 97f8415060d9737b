//! An SMTP server on loopback that accepts every message and keeps it, so a
//! test reads what wafunnel mailed, headers and all; or one that refuses
//! every recipient for good, as a relay does an address that does not exist.
use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub url: String,
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::serve(false).await
    }

    /// Answers every `RCPT TO` with 550 (no such mailbox): a permanent refusal.
    pub async fn refusing() -> SmtpSink {
        SmtpSink::serve(true).await
    }

    async fn serve(refuse: bool) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = SmtpSink {
            url: format!("smtp://{}", listener.local_addr().unwrap()),
            messages: Default::default(),
        };
        let messages = sink.messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let messages = messages.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(d) = data.as_mut() {
                            if line == "." {
                                messages.lock().unwrap().push(std::mem::take(d));
                                data = None;
                                let _ = write.write_all(b"250 queued\r\n").await;
                            } else {
                                d.push_str(line.strip_prefix('.').unwrap_or(&line));
                                d.push_str("\r\n");
                            }
                            continue;
                        }
                        let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go on\r\n"
                            }
                            "RCPT" if refuse => {
                                b"550 5.1.1 Recipient address rejected: User unknown\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"250 ok\r\n",
                        };
                        let _ = write.write_all(answer).await;
                    }
                });
            }
        });
        sink
    }

    pub fn all(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}
