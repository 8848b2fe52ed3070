//! A live dashboard for the scheduler, in the spirit of dask's: the workers, a task stream
//! and each batch's progress, on one page that updates itself.
//!
//! - The scheduler's actor sends every task run through a bounded [`Feed`]; it never waits
//!   on it, so a slow or absent browser cannot slow the scheduler (a run that does not fit
//!   is dropped and counted).
//! - A collector task drains the feed four times a second, asks the scheduler for a
//!   [`Snapshot`](crate::scheduler::Snapshot), and publishes one JSON document in a
//!   `watch` channel: the latest state, which any number of browsers read.
//! - axum serves the page (`/`, HTML, CSS and script embedded in the binary: no build step,
//!   no files, works offline) and the updates (`/events`, server-sent events).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::protocol::WorkerId;
use crate::scheduler::{Feed, Handle, Ran};
use crate::state::Snapshot;

/// The address `--dashboard` listens on when given none: dask's dashboard port, loopback.
pub const DEFAULT_DASHBOARD: &str = "127.0.0.1:8787";

/// How much of the task stream the page shows, and keeps.
const WINDOW: Duration = Duration::from_secs(10);
/// The most bars kept for the page: the newest win.
const MAX_BARS: usize = 5_000;
/// How often the page is updated.
const TICK: Duration = Duration::from_millis(250);
/// Runs the feed holds for the collector between two ticks.
pub const FEED_CAPACITY: usize = 65_536;

/// The page: HTML, CSS and script in one file, compiled into the binary.
const PAGE: &str = include_str!("dashboard.html");

/// A new feed for [`serve`], to give the scheduler (`scheduler::serve_with`).
pub fn feed() -> (Feed, mpsc::Receiver<Ran>) {
    Feed::new(FEED_CAPACITY)
}

/// Serves the dashboard of the scheduler behind `scheduler` on `listener`, reading the runs
/// its actor sends to `runs` (`dropped` counts those that did not fit). Runs until the
/// runtime stops; returns the address it serves on.
pub fn serve(
    listener: TcpListener,
    scheduler: Handle,
    runs: mpsc::Receiver<Ran>,
    dropped: Arc<AtomicU64>,
) -> std::io::Result<SocketAddr> {
    let addr = listener.local_addr()?;
    let (state_tx, state_rx) = watch::channel(String::from("{}"));
    tokio::spawn(collect(scheduler, runs, dropped, state_tx));
    let hosts = Arc::new(allowed_hosts(addr));
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/events", get(move || events(state_rx.clone())))
        .layer(axum::middleware::from_fn(move |request, next| {
            check_host(Arc::clone(&hosts), request, next)
        }));
    tokio::spawn(accept(listener, app));
    Ok(addr)
}

/// Open pages (connections) at once, at most: past it, new ones wait in the kernel's
/// backlog, and the scheduler's own connections keep their file descriptors.
const MAX_PAGES: usize = 64;
/// How long a browser may take to send a request's headers: a connection that sends half
/// a request and stops is closed after it, rather than hold a slot for ever.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves each connection with hyper: at most [`MAX_PAGES`] at once, each with a
/// [`HEADER_TIMEOUT`].
async fn accept(listener: TcpListener, app: Router) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_PAGES));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = crate::protocol::accept(&listener, "dashboard").await;
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _slot = slot; // freed when the connection ends
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let io = hyper_util::rt::TokioIo::new(stream);
            // A browser that goes away, or a request cut short: nothing to report.
            let _ = http.serve_connection(io, service).await;
        });
    }
}

/// The `Host` headers a dashboard on `addr` answers to: on a loopback address, only its own
/// names (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`), so that a web page elsewhere
/// cannot read it through a name it points at 127.0.0.1 (DNS rebinding); on any other
/// address, every name (empty), since the network can reach it anyway.
fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    if !addr.ip().is_loopback() {
        return Vec::new();
    }
    let port = addr.port();
    vec![
        addr.to_string(),
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ]
}

/// Refuses a request whose `Host` is not one of `hosts` (see [`allowed_hosts`]).
async fn check_host(
    hosts: Arc<Vec<String>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let host = (request.headers().get(axum::http::header::HOST)).and_then(|h| h.to_str().ok());
    if hosts.is_empty() || host.is_some_and(|h| hosts.iter().any(|a| a == h)) {
        return next.run(request).await;
    }
    let message = format!(
        "this dashboard answers to {} only",
        hosts.first().map_or("its own address", String::as_str)
    );
    (axum::http::StatusCode::MISDIRECTED_REQUEST, message).into_response()
}

/// Reads the updates of the dashboard at `addr` as an open page does, until it closes: to
/// measure what an open dashboard costs the scheduler.
pub async fn follow(addr: SocketAddr) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET /events HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut buffer = vec![0; 64 * 1024];
    while stream.read(&mut buffer).await? > 0 {}
    Ok(())
}

/// The updates, as server-sent events: the latest state each time it changes. A browser
/// that reads slowly skips states; it never makes anyone wait.
async fn events(
    mut state: watch::Receiver<String>,
) -> Sse<impl futures::Stream<Item = Result<Event, Infallible>>> {
    state.mark_changed(); // the current state at once, then each new one
    let stream = futures::stream::unfold(state, |mut state| async move {
        state.changed().await.ok()?;
        let json = state.borrow_and_update().clone();
        Some((Ok(Event::default().data(json)), state))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Drains the feed every [`TICK`], reads the scheduler's state, and publishes the page's
/// JSON in `out`. Ends when the scheduler stops.
async fn collect(
    scheduler: Handle,
    mut runs: mpsc::Receiver<Ran>,
    dropped: Arc<AtomicU64>,
    out: watch::Sender<String>,
) {
    let mut page = Page::new();
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        let now = Instant::now();
        page.take_runs(&mut runs, now);
        let Some(snapshot) = scheduler.snapshot().await else {
            return;
        };
        let json = page.json(&snapshot, now, dropped.load(Ordering::Relaxed));
        if out.send(json.to_string()).is_err() {
            return;
        }
    }
}

/// What the page shows beyond one snapshot: the task stream's recent bars, the finished
/// count over the last two seconds, and every worker's name, kept after it has gone (its
/// last bars stay on the page, marked).
struct Page {
    start: Instant,
    bars: VecDeque<Ran>,
    rates: VecDeque<(Instant, u64)>,
    names: BTreeMap<WorkerId, String>,
}

impl Page {
    fn new() -> Page {
        Page {
            start: Instant::now(),
            bars: VecDeque::new(),
            rates: VecDeque::new(),
            names: BTreeMap::new(),
        }
    }

    /// Adds the runs waiting in the feed (merging a run into a recent bar it continues) and
    /// forgets the bars older than [`WINDOW`] or past [`MAX_BARS`].
    fn take_runs(&mut self, runs: &mut mpsc::Receiver<Ran>, now: Instant) {
        let bars = &mut self.bars;
        while let Ok(ran) = runs.try_recv() {
            if !bars.iter_mut().rev().take(8).any(|bar| bar.absorb(&ran)) {
                bars.push_back(ran);
            }
        }
        while bars
            .front()
            .is_some_and(|bar| now.duration_since(bar.ended) > WINDOW || bars.len() > MAX_BARS)
        {
            bars.pop_front();
        }
    }

    /// Tasks per second over the last two seconds, `finished` being the count now.
    fn rate(&mut self, now: Instant, finished: u64) -> f64 {
        let rates = &mut self.rates;
        rates.push_back((now, finished));
        while rates
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > Duration::from_secs(2))
        {
            rates.pop_front();
        }
        match (rates.front(), rates.back()) {
            (Some((t0, n0)), Some((t1, n1))) if t1 > t0 => {
                (n1 - n0) as f64 / t1.duration_since(*t0).as_secs_f64()
            }
            _ => 0.0,
        }
    }

    /// The page's JSON for `snapshot`, taken at `now`.
    fn json(&mut self, snapshot: &Snapshot, now: Instant, dropped: u64) -> serde_json::Value {
        let rate = self.rate(now, snapshot.counters.finished);
        let ago = |t: Instant| now.duration_since(t).as_secs_f64() * 1000.0;
        for worker in &snapshot.workers {
            self.names
                .entry(worker.id)
                .or_insert_with(|| worker.name.clone());
        }
        let here: BTreeSet<WorkerId> = snapshot.workers.iter().map(|w| w.id).collect();
        let gone: BTreeSet<WorkerId> = (self.bars.iter())
            .map(|bar| bar.worker)
            .filter(|id| !here.contains(id))
            .collect();
        self.names
            .retain(|id, _| here.contains(id) || gone.contains(id));
        serde_json::json!({
            "uptime_s": now.duration_since(self.start).as_secs_f64(),
            "window_ms": WINDOW.as_millis() as u64,
            "rate": rate,
            "dropped": dropped,
            "counters": {
                "submitted": snapshot.counters.submitted,
                "finished": snapshot.counters.finished,
                "rerun": snapshot.counters.rerun,
                "workers_lost": snapshot.counters.workers_lost,
            },
            "ready": snapshot.ready,
            "workers": snapshot.workers.iter().map(|w| serde_json::json!({
                "id": w.id.0,
                "name": w.name,
                "running": w.running,
                "done": w.done,
                "holds": w.holds,
                "heard_ms_ago": ago(w.last_heard),
            })).collect::<Vec<_>>(),
            "gone": gone.iter().map(|id| serde_json::json!({
                "id": id.0,
                "name": self.names.get(id).map_or("?", String::as_str),
            })).collect::<Vec<_>>(),
            "batches": snapshot.clients.iter().map(|(client, progress)| serde_json::json!({
                "client": client.0,
                "submitted": progress.submitted,
                "finished": progress.finished,
            })).collect::<Vec<_>>(),
            "stream": self.bars.iter().map(|bar| serde_json::json!({
                "worker": bar.worker.0,
                "name": bar.name,
                "start_ms_ago": ago(bar.started),
                "end_ms_ago": ago(bar.ended),
            })).collect::<Vec<_>>(),
        })
    }
}
