//! One connection: the handshake, then a task that turns frames into [`Event`]s, and the
//! writers that send what the actor queued.

use std::collections::VecDeque;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use super::*;
use crate::auth::{Nonce, Side};
use crate::protocol::{Answer, Challenge};

/// What every connection task needs: where its events go, the scheduler's settings, and
/// the secret its peer must prove it holds.
#[derive(Clone)]
pub(super) struct Peers {
    pub(super) events: Events,
    pub(super) config: Config,
    pub(super) run_times: bool,
    pub(super) secret: Arc<Secret>,
}

/// Handshakes in progress, at most. Past it, the oldest is closed to make room: idle or
/// slow connections (each gets [`protocol::HANDSHAKE_TIMEOUT`] anyway) cannot keep a real
/// peer out, whose handshake takes milliseconds.
const HANDSHAKES: usize = 64;

/// The handshakes in progress, oldest first, each with the sender whose drop closes it.
#[derive(Default)]
struct Handshakes {
    next: u64,
    open: VecDeque<(u64, oneshot::Sender<()>)>,
}

impl Handshakes {
    /// Registers a new handshake, closing the oldest if there are [`HANDSHAKES`] already;
    /// returns its number and what tells it to stop.
    fn enter(&mut self) -> (u64, oneshot::Receiver<()>) {
        if self.open.len() >= HANDSHAKES {
            self.open.pop_front(); // dropping its sender closes it
        }
        let (tx, rx) = oneshot::channel();
        self.next += 1;
        self.open.push_back((self.next, tx));
        (self.next, rx)
    }

    /// Handshake `n` is over.
    fn leave(&mut self, n: u64) {
        self.open.retain(|(m, _)| *m != n);
    }
}

/// Accepts connections, one task each. Peers are numbered here: clients and workers each
/// from 1. At most [`HANDSHAKES`] handshakes run at once, and [`MAX_CONNECTIONS`] peers
/// are served once they have proved who they are.
pub(super) async fn accept(listener: TcpListener, peers: Peers) {
    let ids = Arc::new((AtomicU32::new(1), AtomicU32::new(1)));
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let handshakes = Arc::new(Mutex::new(Handshakes::default()));
    loop {
        let stream = protocol::accept(&listener, "scheduler").await;
        let (peers, ids, slots) = (peers.clone(), Arc::clone(&ids), Arc::clone(&slots));
        let handshakes = Arc::clone(&handshakes);
        tokio::spawn(async move {
            let peer = stream.peer_addr().ok();
            let (n, evicted) = lock(&handshakes).enter();
            let shaken = tokio::select! {
                shaken = shake(stream, &peers.secret) => shaken,
                // Closed to make room for newer connections: not worth a log line each.
                _ = evicted => Err(ProtocolError::Closed),
            };
            lock(&handshakes).leave(n);
            let outcome = match shaken {
                Ok(shaken) => match Arc::clone(&slots).try_acquire_owned() {
                    Ok(_slot) => connection(shaken, peers, &ids).await, // freed at the end
                    Err(_) => refuse(shaken, "the scheduler serves as many peers as it can").await,
                },
                Err(err) => Err(err),
            };
            if let Err(err) = outcome
                && !matches!(err, ProtocolError::Closed)
            {
                let peer = peer.map_or("?".to_string(), |p| p.to_string());
                eprintln!("scheduler: closed the connection from {peer}: {err}");
            }
        });
    }
}

/// A connection whose peer has proved who it is: its two halves, its hello, and the
/// scheduler's proof for the welcome.
struct Shaken {
    reader: protocol::Reader,
    writer: protocol::Writer,
    hello: Hello,
    proof: [u8; crate::auth::LEN],
}

fn lock(handshakes: &Mutex<Handshakes>) -> std::sync::MutexGuard<'_, Handshakes> {
    handshakes.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Splits `stream` and runs the scheduler's side of the handshake on it.
async fn shake(stream: TcpStream, secret: &Secret) -> Result<Shaken, ProtocolError> {
    let (mut reader, mut writer) = protocol::split(stream)?;
    let (hello, proof) = handshake(&mut reader, &mut writer, secret).await?;
    Ok(Shaken {
        reader,
        writer,
        hello,
        proof,
    })
}

/// Refuses a peer that proved who it is, with `reason`.
async fn refuse(mut shaken: Shaken, reason: &str) -> Result<(), ProtocolError> {
    let reason = reason.to_string();
    shaken
        .writer
        .send(&Welcome::Refused {
            reason: reason.clone(),
        })
        .await?;
    Err(ProtocolError::Handshake(reason))
}

/// One connection, from its welcome to its close. Whatever the peer does wrong ends this
/// function with an error, which closes this connection and no other.
async fn connection(
    shaken: Shaken,
    peers: Peers,
    ids: &(AtomicU32, AtomicU32),
) -> Result<(), ProtocolError> {
    let Shaken {
        mut reader,
        writer,
        hello,
        proof,
    } = shaken;
    reader.set_max_frame(protocol::MAX_FRAME);
    let config = peers.config;
    let welcome = |id| {
        Welcome::Accepted(protocol::Accepted {
            id,
            heartbeat_ms: config.heartbeat.as_millis() as u64,
            silence_ms: config.timeout.as_millis() as u64,
            window: config.depth.max(1),
            run_times: peers.run_times,
            proof,
        })
    };
    let link = Link {
        reader,
        writer,
        events: peers.events,
        timeout: config.timeout,
        heartbeat: config.heartbeat,
    };
    match hello {
        Hello::Worker { name, threads, .. } => {
            let id = WorkerId(ids.0.fetch_add(1, Ordering::Relaxed));
            link.serve_worker(id, welcome(id.0), name, threads).await
        }
        Hello::Client { .. } => {
            let id = ClientId(ids.1.fetch_add(1, Ordering::Relaxed));
            link.serve_client(id, welcome(id.0)).await
        }
    }
}

/// The scheduler's side of the handshake (see [`protocol::connect`] for the peer's): sends
/// a challenge, reads the peer's hello and its answer, each within
/// [`protocol::HANDSHAKE_TIMEOUT`] and in a small frame, and refuses the peer, with a reason
/// sent to it, when its version, its thread count or its name is wrong or it cannot prove
/// it holds `secret`. Returns the hello and the scheduler's own proof for the welcome.
async fn handshake(
    reader: &mut protocol::Reader,
    writer: &mut protocol::Writer,
    secret: &Secret,
) -> Result<(Hello, [u8; crate::auth::LEN]), ProtocolError> {
    reader.set_max_frame(protocol::HANDSHAKE_FRAME);
    let nonce = Nonce::random().map_err(|e| ProtocolError::Handshake(e.to_string()))?;
    writer
        .send(&Challenge {
            version: VERSION,
            nonce,
        })
        .await?;
    let late = |what: &str| ProtocolError::Handshake(format!("no {what} in time"));
    let wait = protocol::HANDSHAKE_TIMEOUT;
    let hello = timeout(wait, reader.expect::<Hello>())
        .await
        .map_err(|_| late("hello"))??;
    let version = match &hello {
        Hello::Client { version } | Hello::Worker { version, .. } => *version,
    };
    let reason = match &hello {
        _ if version != VERSION => format!(
            "this scheduler speaks protocol version {VERSION}, the peer {version}: \
             build both from the same source"
        ),
        Hello::Worker { threads, .. } if !(1..=MAX_THREADS).contains(threads) => {
            format!("a worker runs 1 to {MAX_THREADS} task threads, not {threads}")
        }
        Hello::Worker { name, .. } if name.chars().count() > protocol::MAX_NAME => {
            format!(
                "a worker's name has at most {} characters",
                protocol::MAX_NAME
            )
        }
        _ => {
            let answer = timeout(wait, reader.expect::<Answer>())
                .await
                .map_err(|_| late("proof"))??;
            if secret.verify(Side::Peer, &nonce, &answer.nonce, &answer.proof) {
                return Ok((hello, secret.prove(Side::Scheduler, &nonce, &answer.nonce)));
            }
            "the peer did not prove that it holds this scheduler's secret: give it the file \
             the scheduler printed (--secret-file)"
                .to_string()
        }
    };
    writer
        .send(&Welcome::Refused {
            reason: reason.clone(),
        })
        .await?;
    Err(ProtocolError::Handshake(reason))
}

/// A connection past its handshake, and the actor's queue its events go to.
struct Link {
    reader: protocol::Reader,
    writer: protocol::Writer,
    events: Events,
    timeout: Duration,
    /// How often to say "still here" to the peer when there is nothing else to say.
    heartbeat: Duration,
}

impl Link {
    /// Welcomes worker `id` and serves it until it goes: its frames become events, the
    /// actor's batches go out. A worker silent for `timeout` is lost.
    async fn serve_worker(
        mut self,
        id: WorkerId,
        welcome: Welcome,
        name: String,
        threads: u32,
    ) -> Result<(), ProtocolError> {
        self.writer.send(&welcome).await?;
        // `closed`: the actor dropped the outbox, to close this connection at once.
        let (outbox, rx, mut closed) = outbox();
        let joined = Event::WorkerJoined {
            id,
            name,
            threads,
            outbox,
        };
        if self.events.send(joined).await.is_err() {
            return Ok(()); // the scheduler is stopping
        }
        let (reader, events, wait) = (&mut self.reader, &self.events, self.timeout);
        let read = async {
            loop {
                let message = match timeout(wait, reader.recv_sized()).await {
                    Err(_) => {
                        return Err(ProtocolError::Dropped(format!(
                            "worker {} sent nothing for {wait:?}",
                            id.0
                        )));
                    }
                    Ok(message) => message?,
                };
                let Some((message, size)) = message else {
                    return Ok(());
                };
                if events
                    .send_sized(Event::FromWorker(id, message), size)
                    .await
                    .is_err()
                {
                    return Ok(());
                }
            }
        };
        let outcome = tokio::select! {
            outcome = read => outcome,
            outcome = write_batches(&mut self.writer, rx, self.heartbeat) => outcome,
            _ = &mut closed => Err(dropped()),
        };
        let _ = self.events.send(Event::WorkerLeft(id)).await;
        outcome
    }

    /// Welcomes client `id` and serves it until it goes. Clients may sit idle between
    /// batches: no timeout; TCP tells us when they go.
    async fn serve_client(mut self, id: ClientId, welcome: Welcome) -> Result<(), ProtocolError> {
        self.writer.send(&welcome).await?;
        let (outbox, rx, mut closed) = outbox();
        let joined = Event::ClientJoined { id, outbox };
        if self.events.send(joined).await.is_err() {
            return Ok(());
        }
        let (reader, events) = (&mut self.reader, &self.events);
        let read = async {
            while let Some((message, size)) = reader.recv_sized().await? {
                let event = Event::FromClient(id, message);
                if events.send_sized(event, size).await.is_err() {
                    break;
                }
            }
            Ok(())
        };
        let outcome = tokio::select! {
            outcome = read => outcome,
            outcome = write_each(&mut self.writer, rx, self.heartbeat) => outcome,
            _ = &mut closed => Err(dropped()),
        };
        let _ = self.events.send(Event::ClientLeft(id)).await;
        outcome
    }
}

/// The error of a connection the actor closed.
fn dropped() -> ProtocolError {
    ProtocolError::Dropped("disconnected by the scheduler".into())
}

/// Writes what the actor sends to a worker, many messages per flush, and a heartbeat when
/// it has sent nothing for `heartbeat`. Ends when the actor drops the sender, which closes
/// the connection.
async fn write_batches(
    writer: &mut protocol::Writer,
    mut rx: Inbox<Vec<ToWorker>>,
    heartbeat: Duration,
) -> Result<(), ProtocolError> {
    let mut beat = beats(heartbeat);
    loop {
        let messages = tokio::select! {
            messages = rx.recv() => match messages {
                Some(messages) => messages,
                None => break,
            },
            _ = beat.tick() => vec![ToWorker::Heartbeat],
        };
        beat.reset();
        for message in &messages {
            writer.feed(message).await?;
        }
        while let Some(more) = rx.try_recv() {
            for message in &more {
                writer.feed(message).await?;
            }
        }
        writer.flush().await?;
    }
    Err(dropped())
}

/// Writes what the actor sends to a client, many messages per flush, and a heartbeat as
/// [`write_batches`] does.
async fn write_each(
    writer: &mut protocol::Writer,
    mut rx: Inbox<ToClient>,
    heartbeat: Duration,
) -> Result<(), ProtocolError> {
    let mut beat = beats(heartbeat);
    loop {
        let message = tokio::select! {
            message = rx.recv() => match message {
                Some(message) => message,
                None => break,
            },
            _ = beat.tick() => ToClient::Heartbeat,
        };
        beat.reset();
        writer.feed(&message).await?;
        while let Some(more) = rx.try_recv() {
            writer.feed(&more).await?;
        }
        writer.flush().await?;
    }
    Err(dropped())
}

/// A heartbeat's clock: the first tick one period from now, and a late tick is not made up
/// for (a burst of heartbeats after a pause would say nothing).
fn beats(every: Duration) -> tokio::time::Interval {
    let every = every.max(Duration::from_millis(1));
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    beat
}
