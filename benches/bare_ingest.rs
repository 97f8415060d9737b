//! The floor of durable webhook ingest on this machine, with no product logic:
//! an actix-web endpoint that checks the signature, parses the delivery and
//! group-commits one record per message to redb (through the same writer)
//! before answering. `benches/ingest.sh` drives it with the same loadgen and
//! payloads as the product.
//!
//! Run alone: `cargo bench --bench bare_ingest -- --listen 127.0.0.1:18090 --secret loadgen-secret`
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use redb::TableDefinition;
use wafunnel::{
    channels::whatsapp::{parse, signature},
    error::ApiError,
    store::{ids::RecordId, Store, StoreOptions, TableSpec, Tbl},
};

const RECORDS: Tbl = TableDefinition::new("bare_messages");

struct Bare {
    store: Store,
    secret: String,
}

async fn ingest(req: HttpRequest, body: web::Bytes, bare: web::Data<Bare>) -> HttpResponse {
    let header = req
        .headers()
        .get("X-Hub-Signature-256")
        .and_then(|v| v.to_str().ok());
    if !signature::verify(bare.secret.as_bytes(), &body, header) {
        return HttpResponse::Unauthorized().finish();
    }
    let Ok(delivery) = parse::parse(&body) else {
        return HttpResponse::BadRequest().finish();
    };
    let records: Vec<(Vec<u8>, Vec<u8>)> = delivery
        .changes
        .iter()
        .flat_map(|c| c.messages.iter())
        .map(|m| (RecordId::new().bytes().to_vec(), m.raw.clone().into_bytes()))
        .collect();
    let stored = bare
        .store
        .write(move |ctx| {
            for (k, v) in &records {
                ctx.put_raw(RECORDS, k, v).map_err(ApiError::from)?;
            }
            Ok(())
        })
        .await;
    match stored {
        Ok(()) => HttpResponse::Ok().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn main() -> std::io::Result<()> {
    // `cargo bench` passes --bench; this binary only serves.
    let listen = arg("--listen", "127.0.0.1:18090");
    let secret = arg("--secret", "loadgen-secret");
    let dir = tempfile::tempdir()?;
    let spec = TableSpec {
        def: RECORDS,
        verify: |_| Ok(()),
    };
    let store = Store::open(
        dir.path(),
        &[spec],
        StoreOptions {
            max_batch: 1024,
            cache_bytes: wafunnel::store::DEFAULT_CACHE_MB << 20,
            metrics: Default::default(),
            // The floor is bound by its HTTP side, not by its writer: put
            // ahead of the request threads (the product's `writer.nice`) it
            // took 17 % fewer webhooks a second, so it keeps the default.
            writer_nice: 0,
        },
    )
    .map_err(std::io::Error::other)?;
    let data = web::Data::new(Bare { store, secret });
    println!("bare ingest listening on http://{listen}/webhooks/whatsapp");
    actix_rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(3 * 1024 * 1024))
                .route("/webhooks/whatsapp", web::post().to(ingest))
        })
        .bind(listen)?
        .run()
        .await
    })
}
