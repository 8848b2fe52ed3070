//! How the processes of a cluster connect, in place of timely's own start-up, and how a
//! process notices a peer that went silent or away once they run.
//!
//! timely's start-up (`timely::execute` with a cluster configuration) trusts whatever
//! connects to its port: it takes the first eight bytes for a process number and indexes
//! with it (a stray connection panicked it), and it waits for every peer for ever, even one
//! that accepted the connection and then said nothing. This module opens the same
//! connections itself, under `--start-timeout`, and hands the connected sockets to timely
//! (`initialize_networking_from_sockets`), which then runs as it always does.
//!
//! Process `i` connects to every process below it and accepts every process above it, as
//! timely does. Both ends of a connection first send a [`Hello`] and check the other's: a
//! process of this lesson, of the same cluster (`-n`, `-w`), with the number expected. Then
//! each proves that it holds the cluster's secret (`--secret-file`), as lesson 5's peers
//! do: an HMAC of a nonce from each end ([`shared::secret`]), the accepting end first. A
//! connection that fails a check is closed and reported on stderr, and the process goes on
//! waiting for the real peer: neither a port scanner nor a stranger who knows the protocol
//! can end a start-up or join the cluster. Each connection to a process's port is greeted
//! on a thread of its own (`Port`), so connections that say nothing hold up no real
//! peer; a stranger would need to keep `GREETING_AT_ONCE` of them open at once.
//!
//! The exchange, on a connection from process `j` to process `i < j`:
//!
//! ```text
//! j → i   hello (32 bytes), j's nonce (32)
//! i → j   hello, i's nonce, i's proof (32) under "process i accepting process j, -n -w"
//! j → i   j's proof under "process j joining process i, -n -w"
//! ```
//!
//! The labels name both processes ([`label`]), and `j` checks that the hello is `i`'s
//! before it proves anything: a stranger on the port of a process not started yet cannot
//! relay process `k`'s answer to `j` as `i`'s, nor pass `k`'s answer on as it is and
//! relay `j`'s proof back to `k`.
//!
//! What it does not do: encrypt. timely's messages cross the network as they are: on
//! machines you do not trust the network of, use an SSH tunnel or a VPN.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shared::secret::{LEN, Nonce, Secret};
use timely::communication::allocator::zero_copy::stream::Stream;

use super::{Layout, RunError};

/// The first bytes of every hello: this lesson's protocol, version 2 (with the proofs).
pub const MAGIC: [u8; 8] = *b"PRUST6v2";
/// Bytes of a hello: the magic, then the process number, the processes and the workers
/// per process, each a little-endian `u64`.
pub const HELLO_LEN: usize = 32;
/// How long the start of a connection (hellos and proofs) may take, whatever the peer
/// sends meanwhile (less when the start-up deadline is nearer).
pub const HELLO_WAIT: Duration = Duration::from_secs(5);
/// How long a process waits before it tries a peer again.
const RETRY: Duration = Duration::from_millis(50);

/// What each end of a connection says first: who it is, in which cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello {
    pub process: usize,
    pub processes: usize,
    pub workers: usize,
}

impl Hello {
    /// What `layout`'s process says.
    pub fn of(layout: &Layout) -> Hello {
        Hello {
            process: layout.process,
            processes: layout.processes,
            workers: layout.workers,
        }
    }

    pub fn to_bytes(self) -> [u8; HELLO_LEN] {
        let mut bytes = [0; HELLO_LEN];
        bytes[..8].copy_from_slice(&MAGIC);
        let fields = [self.process, self.processes, self.workers];
        for (chunk, field) in bytes[8..].chunks_exact_mut(8).zip(fields) {
            chunk.copy_from_slice(&(field as u64).to_le_bytes());
        }
        bytes
    }

    /// The hello in `bytes`, or why they are not one.
    pub fn from_bytes(bytes: &[u8; HELLO_LEN]) -> Result<Hello, String> {
        if bytes[..8] != MAGIC {
            let first = &bytes[..8];
            let shown = match first.iter().all(u8::is_ascii_graphic) {
                true => format!("{:?}", String::from_utf8_lossy(first)),
                false => first
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            if first.starts_with(&MAGIC[..7]) {
                return Err(format!(
                    "it is a process of another build of this lesson (its protocol is {shown}, \
                     this one's {:?}): build every machine from the same source",
                    String::from_utf8_lossy(&MAGIC)
                ));
            }
            return Err(format!(
                "it is not a process of this lesson (its first bytes are {shown})"
            ));
        }
        let field = |i: usize| {
            let mut chunk = [0; 8];
            chunk.copy_from_slice(&bytes[8 + 8 * i..16 + 8 * i]);
            usize::try_from(u64::from_le_bytes(chunk)).unwrap_or(usize::MAX)
        };
        Ok(Hello {
            process: field(0),
            processes: field(1),
            workers: field(2),
        })
    }

    /// Whether `theirs` is a process of the same cluster as this one.
    fn same_cluster(self, theirs: Hello) -> Result<(), String> {
        if (theirs.processes, theirs.workers) != (self.processes, self.workers) {
            return Err(format!(
                "it runs with -n {} -w {} and this process with -n {} -w {}: start every \
                 process with the same -n and -w",
                theirs.processes, theirs.workers, self.processes, self.workers
            ));
        }
        Ok(())
    }
}

/// Which end of a connection this is, for the messages about the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// This process connected; the other accepted.
    Connecting,
    /// The other process connected to this one's port.
    Accepting,
}

/// The start of one connection: the instant by which it must be done.
#[derive(Debug, Clone, Copy)]
struct Start {
    end: End,
    until: Instant,
    allowed: Duration,
}

/// Why the start of a connection failed: the other end answered and refused (the most
/// telling reason, kept for the error at the deadline), or nothing usable came (a timeout,
/// a reset, a refused port: what a later try may well get too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    Answered(String),
    Unanswered(String),
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Answered(why) | Why::Unanswered(why) => f.write_str(why),
        }
    }
}

/// An I/O failure: nothing usable came.
fn unanswered(error: impl std::fmt::Display) -> Why {
    Why::Unanswered(error.to_string())
}

impl Start {
    fn new(end: End, deadline: Instant) -> Start {
        let allowed = left(deadline, HELLO_WAIT);
        Start {
            end,
            until: Instant::now() + allowed,
            allowed,
        }
    }

    /// A hello from `stream`.
    fn hello(&self, stream: &mut TcpStream) -> Result<Hello, Why> {
        let mut bytes = [0; HELLO_LEN];
        self.read(stream, &mut bytes, "hello")?;
        Hello::from_bytes(&bytes).map_err(Why::Answered)
    }

    /// A nonce or a proof (`what`) from `stream`.
    fn part(&self, stream: &mut TcpStream, what: &str) -> Result<[u8; LEN], Why> {
        let mut bytes = [0; LEN];
        self.read(stream, &mut bytes, what)?;
        Ok(bytes)
    }

    /// Fills `bytes` from `stream` before `until`, however the peer trickles them, or says
    /// why not.
    fn read(&self, stream: &mut TcpStream, bytes: &mut [u8], what: &str) -> Result<(), Why> {
        let they = match self.end {
            End::Connecting => "it accepted the connection but",
            End::Accepting => "it connected but",
        };
        let silent = || {
            Why::Unanswered(format!(
                "{they} sent no {what} within {:.0} s (is it stopped, or another program?)",
                self.allowed.as_secs_f64().ceil()
            ))
        };
        let mut filled = 0;
        while filled < bytes.len() {
            let wait = self.until.saturating_duration_since(Instant::now());
            if wait.is_zero() {
                return Err(silent());
            }
            stream.set_read_timeout(Some(wait)).map_err(unanswered)?;
            match stream.read(&mut bytes[filled..]) {
                Ok(0) => {
                    return Err(Why::Answered(format!(
                        "it closed the connection without a whole {what} (another program, an \
                         older build, or a process that refused this one: {})",
                        match self.end {
                            End::Connecting => "another -n or -w, or another -p?",
                            End::Accepting => "another secret file?",
                        }
                    )));
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(silent());
                }
                Err(e) => return Err(unanswered(e)),
            }
        }
        Ok(())
    }
}

/// The label a proof is made under: which end proves, and who is talking to whom in which
/// cluster, so that a proof made on one connection means nothing on another (a stranger
/// cannot pass process 1's answer to process 2 off as process 0's).
pub fn label(accepting: bool, connecting: Hello, accepted: Hello) -> String {
    let (who, how, whom) = match accepting {
        true => (accepted.process, "accepting", connecting.process),
        false => (connecting.process, "joining", accepted.process),
    };
    let (n, w) = (connecting.processes, connecting.workers);
    format!("parallel-rust lesson 6: process {who} {how} process {whom}, -n {n} -w {w}")
}

/// The time left before `deadline`, at most `most`.
fn left(deadline: Instant, most: Duration) -> Duration {
    deadline.saturating_duration_since(Instant::now()).min(most)
}

/// Connects to process `peer` at `address` and exchanges hellos.
fn dial(
    address: &str,
    mine: Hello,
    secret: &Secret,
    peer: usize,
    deadline: Instant,
) -> Result<TcpStream, Why> {
    let addresses: Vec<SocketAddr> = (address.to_socket_addrs())
        .map_err(|e| unanswered(format!("no such host ({e})")))?
        .collect();
    let mut stream = connect_any(&addresses, deadline)?;
    join(&mut stream, mine, secret, peer, deadline)?;
    Ok(stream)
}

/// A connection to the first of `addresses` that takes one, trying each in turn as
/// `TcpStream::connect` does (a host's first address may be an IPv6 one its process does
/// not listen on); or why the last one did not.
fn connect_any(addresses: &[SocketAddr], deadline: Instant) -> Result<TcpStream, Why> {
    let mut why = unanswered("no such host");
    for to in addresses {
        let wait = left(deadline, Duration::from_secs(1)).max(Duration::from_millis(1));
        match TcpStream::connect_timeout(to, wait) {
            Ok(stream) => return Ok(stream),
            Err(error) => why = unanswered(error),
        }
    }
    Err(why)
}

/// The connecting end's part of the start of a connection to process `peer` (see the
/// module's doc): says `mine`, checks the other end's hello and proof, proves this end,
/// and returns the other end's hello. Public for the tests that play a peer.
pub fn join(
    stream: &mut TcpStream,
    mine: Hello,
    secret: &Secret,
    peer: usize,
    deadline: Instant,
) -> Result<Hello, Why> {
    let start = Start::new(End::Connecting, deadline);
    let nonce = Nonce::random().map_err(unanswered)?;
    let mut opening = mine.to_bytes().to_vec();
    opening.extend_from_slice(&nonce.0);
    stream.write_all(&opening).map_err(unanswered)?;
    let theirs = start.hello(stream)?;
    mine.same_cluster(theirs).map_err(Why::Answered)?;
    // Before any proof: another process's answer, relayed by a stranger on `peer`'s port,
    // is as valid as it was for that process, and this end's proof to it would let the
    // stranger in there as this process.
    if theirs.process != peer {
        return Err(Why::Answered(format!(
            "process {} answers at this address: is the hostfile the same on every machine?",
            theirs.process
        )));
    }
    let challenge = Nonce(start.part(stream, "nonce")?);
    let proof = start.part(stream, "proof")?;
    if !secret.verify(label(true, mine, theirs), &challenge, &nonce, &proof) {
        return Err(Why::Answered(NO_PROOF.into()));
    }
    let answer = secret.prove(label(false, mine, theirs), &challenge, &nonce);
    stream.write_all(&answer).map_err(unanswered)?;
    Ok(theirs)
}

/// Why a peer's proof was refused.
const NO_PROOF: &str = "it does not prove that it holds this cluster's secret: give every process \
     the same secret file (--secret-file; copy it with scp, which keeps its mode 600)";

/// Reads the hello of a connection to this process's port, answers it, checks the other
/// end's proof, and returns the number of the process that connected; or why not, with
/// the process it said it was when the failure came after its hello.
fn greet(
    stream: &mut TcpStream,
    mine: Hello,
    secret: &Secret,
    deadline: Instant,
) -> Result<usize, (Option<usize>, String)> {
    let start = Start::new(End::Accepting, deadline);
    let early = |why: String| (None, why);
    stream
        .set_nonblocking(false)
        .map_err(|e| early(e.to_string()))?;
    let theirs = start.hello(stream).map_err(|why| early(why.to_string()))?;
    // The nonce before the checks: a connection closed with bytes unread is reset, and the
    // other end would read "reset by peer" instead of why.
    let answer = Nonce(
        start
            .part(stream, "nonce")
            .map_err(|why| early(why.to_string()))?,
    );
    check_connecting(mine, theirs).map_err(early)?;
    let fail = |why: String| (Some(theirs.process), why);
    let challenge = Nonce::random().map_err(|e| fail(e.to_string()))?;
    let mut reply = mine.to_bytes().to_vec();
    reply.extend_from_slice(&challenge.0);
    reply.extend_from_slice(&secret.prove(label(true, theirs, mine), &challenge, &answer));
    stream.write_all(&reply).map_err(|e| fail(e.to_string()))?;
    let proof = (start.part(stream, "proof")).map_err(|why| fail(why.to_string()))?;
    if !secret.verify(label(false, theirs, mine), &challenge, &answer, &proof) {
        return Err(fail(NO_PROOF.into()));
    }
    Ok(theirs.process)
}

/// Whether `theirs`, connecting to this process's port, is a process that should.
fn check_connecting(mine: Hello, theirs: Hello) -> Result<(), String> {
    mine.same_cluster(theirs)?;
    if !(mine.process + 1..mine.processes).contains(&theirs.process) {
        return Err(format!(
            "it says it is process {}, but only processes {}..{} connect to process {}",
            theirs.process,
            mine.process + 1,
            mine.processes,
            mine.process
        ));
    }
    Ok(())
}

/// How many refusals a process says on stderr, at most: one per reason and process
/// claimed, so a stranger who varies its bytes cannot fill the terminal (or memory).
const SAID_MOST: usize = 16;

/// Says on stderr that the connection from `from` was refused for `reason`, unless that
/// was said already for the process it claimed to be (`who`; all that claim none count
/// as one), or [`SAID_MOST`] refusals have been.
fn refused(
    said: &mut std::collections::HashSet<(Option<usize>, String)>,
    me: usize,
    from: SocketAddr,
    who: Option<usize>,
    reason: &str,
) {
    if said.len() > SAID_MOST || said.contains(&(who, reason.to_string())) {
        return;
    }
    if said.len() == SAID_MOST {
        said.insert((None, String::new()));
        eprintln!("process {me}: more connections were refused; they are not shown");
        return;
    }
    said.insert((who, reason.to_string()));
    // A peer that cannot get in tries again every RETRY: each reason is said once for
    // each process it names, with its first address.
    let said_to_be = who.map(|p| format!(", which says it is process {p}"));
    let whose = who.map(|p| format!(" of process {p}")).unwrap_or_default();
    eprintln!(
        "process {me}: ignored a connection from {from}{}: {reason}. Let only the cluster's \
         processes reach this port (further connections{whose} refused for this reason are \
         not shown)",
        said_to_be.unwrap_or_default()
    );
}

/// At most this many connections to a process's port are greeted at once; those beyond
/// are closed unread. Each greeting ends within [`HELLO_WAIT`].
const GREETING_AT_ONCE: usize = 32;

/// A connection to this process's port, greeted: the process it is, with the connection,
/// or why it was refused (with the process it said it was, if it said; the connection is
/// closed already).
struct Greeted {
    from: SocketAddr,
    outcome: Result<(usize, TcpStream), (Option<usize>, String)>,
}

/// One greeting under way, counted in the accepting thread's `greeting` until dropped
/// (however the greeting ends).
struct Greeting(Arc<AtomicU64>);

impl Drop for Greeting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What comes from the port's accepting thread.
enum Found {
    Greeted(Greeted),
    /// The listener failed: the start-up cannot go on.
    Failed(io::Error),
}

/// This process's port during the start-up: a thread accepts connections and greets each
/// on a thread of its own, and the outcomes arrive on `found`. Dropping it stops the
/// accepting thread and closes the port; greetings under way end by their deadline.
struct Port {
    found: std::sync::mpsc::Receiver<Found>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Port {
    fn open(
        listener: TcpListener,
        mine: Hello,
        secret: Secret,
        deadline: Instant,
    ) -> io::Result<Port> {
        let (tell, found) = std::sync::mpsc::channel();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("lesson-06-accept".into())
            .spawn(move || accept(&listener, mine, &secret, deadline, &stopped, &tell))?;
        Ok(Port {
            found,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            drop(thread.join());
        }
    }
}

/// The accepting thread of a [`Port`]: until `stop`, greets each connection to `listener`
/// (non-blocking) on a thread of its own, at most [`GREETING_AT_ONCE`] at a time, and
/// tells each outcome to `tell`.
fn accept(
    listener: &TcpListener,
    mine: Hello,
    secret: &Secret,
    deadline: Instant,
    stop: &std::sync::atomic::AtomicBool,
    tell: &std::sync::mpsc::Sender<Found>,
) {
    let greeting = Arc::new(AtomicU64::new(0));
    while !stop.load(Ordering::Relaxed) {
        let (mut stream, from) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(ACCEPT_LOOK);
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A connection reset before it was accepted, or no file descriptor free for
            // one now (the greetings under way hold some): the listener itself is fine.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted || out_of_descriptors(&e) => {
                std::thread::sleep(ACCEPT_LOOK);
                continue;
            }
            Err(error) => {
                drop(tell.send(Found::Failed(error)));
                return;
            }
        };
        if greeting.load(Ordering::Relaxed) >= GREETING_AT_ONCE as u64 {
            continue; // closed unread
        }
        greeting.fetch_add(1, Ordering::Relaxed);
        let counted = Greeting(Arc::clone(&greeting));
        let (secret, tell) = (secret.clone(), tell.clone());
        // When no thread can be had (the process is at its limit), the closure is dropped:
        // the connection closes, the count goes down, and a real peer tries again.
        let greeter = std::thread::Builder::new()
            .name("lesson-06-greet".into())
            .spawn(move || {
                let outcome = greet(&mut stream, mine, &secret, deadline);
                // A refused connection closes now, not when the start-up's loop reads
                // this (it may be dialing): those waiting in the channel hold nothing.
                let outcome = outcome.map(|peer| (peer, stream));
                drop(counted);
                // The start-up may be over (connected, or given up): then nobody asks.
                drop(tell.send(Found::Greeted(Greeted { from, outcome })));
            });
        drop(greeter);
    }
}

/// Whether `error` says this process (or the system) has no file descriptor to spare.
fn out_of_descriptors(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

/// How often the accepting thread looks for a new connection.
const ACCEPT_LOOK: Duration = Duration::from_millis(5);

/// Connects this process to every other of `addresses` (line `i` for process `i`) before
/// `--start-timeout` is over, or says which peers it could not reach and why.
pub(super) fn connect(
    layout: &Layout,
    addresses: &[String],
) -> Result<Vec<Option<TcpStream>>, RunError> {
    let me = layout.process;
    let mine = Hello::of(layout);
    let deadline = Instant::now() + Duration::from_secs(layout.start_timeout.max(1));
    let path = layout.secret_path();
    let (secret, new) =
        Secret::load_or_create(&path).map_err(|error| RunError::Secret { process: me, error })?;
    if new {
        eprintln!(
            "process {me}: made the cluster's secret in {}: on several machines, copy it to \
             each (scp keeps its mode 600) or pass it with --secret-file",
            path.display()
        );
    }
    let listener = TcpListener::bind(&addresses[me])
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|error| RunError::Listen {
            process: me,
            address: addresses[me].clone(),
            error: error.to_string(),
        })?;
    let mut sockets: Vec<Option<TcpStream>> = addresses.iter().map(|_| None).collect();
    // Why each peer is not connected yet, for the error at the deadline.
    let mut why: Vec<String> = (0..addresses.len())
        .map(|i| match i < me {
            true => "not tried yet".into(),
            false => "it never connected (is it started, with the same hostfile?)".into(),
        })
        .collect();
    let mut said = std::collections::HashSet::new();
    let mut answered = vec![false; addresses.len()];
    // Greeted on threads of their own: a connection that says nothing holds up neither
    // the dialing below nor another connection's greeting.
    let port = Port::open(listener, mine, secret.clone(), deadline)
        .map_err(|error| RunError::Start(format!("cannot start the greeting thread: {error}")))?;
    loop {
        let missing: Vec<usize> = (0..addresses.len())
            .filter(|&i| i != me && sockets[i].is_none())
            .collect();
        if missing.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            let peers = missing
                .iter()
                .map(|&i| format!("process {i} at {}: {}", addresses[i], why[i]))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(RunError::NotStarted {
                process: me,
                waited: layout.start_timeout,
                peers,
            });
        }
        let mut connected = false;
        for &peer in missing.iter().filter(|&&i| i < me) {
            match dial(&addresses[peer], mine, &secret, peer, deadline) {
                Ok(stream) => (sockets[peer], connected) = (Some(stream), true),
                // A peer's refusal says more than what a later try meets (a timeout near
                // the deadline, a reset as the peer gives up): it stays.
                Err(Why::Answered(reason)) => (why[peer], answered[peer]) = (reason, true),
                Err(Why::Unanswered(reason)) if !answered[peer] => why[peer] = reason,
                Err(Why::Unanswered(_)) => {}
            }
        }
        // What the port's greeters found, until the next round of dialing: RETRY from now,
        // or at once when a peer just connected (another may be ready). However many
        // connections a stranger makes, the peers are dialed no more often.
        let next_dial = Instant::now() + left(deadline, RETRY);
        loop {
            let found = match connected {
                true => port.found.try_recv().ok(),
                false => (port.found)
                    .recv_timeout(next_dial.saturating_duration_since(Instant::now()))
                    .ok(),
            };
            let Some(found) = found else {
                break;
            };
            let Greeted { from, outcome } = match found {
                Found::Greeted(greeted) => greeted,
                Found::Failed(error) => {
                    return Err(RunError::Listen {
                        process: me,
                        address: addresses[me].clone(),
                        error: error.to_string(),
                    });
                }
            };
            match outcome {
                Ok((peer, stream)) => {
                    // A peer that connects again gave up on the first connection (its
                    // hello came back too late): the newer one is the one it uses.
                    if sockets[peer].is_some() {
                        eprintln!(
                            "process {me}: process {peer} connected again from {from}; the \
                             earlier connection is closed (two processes started with -p \
                             {peer}?)"
                        );
                    }
                    sockets[peer] = Some(stream);
                    if (0..addresses.len()).all(|i| i == me || sockets[i].is_some()) {
                        break;
                    }
                }
                Err((who, reason)) => {
                    if let Some(peer) = who {
                        why[peer] = reason.clone();
                    }
                    refused(&mut said, me, from, who, &reason);
                }
            }
        }
    }
    for stream in sockets.iter().flatten() {
        let ready = (stream.set_read_timeout(None))
            .and_then(|()| stream.set_nodelay(true))
            .and_then(|()| stream.set_nonblocking(false));
        ready.map_err(|error| RunError::Start(error.to_string()))?;
    }
    Ok(sockets)
}

/// When this process last heard from each peer, and which connections ended: what it
/// needs to tell a peer that is stopped from one that is working, and to name it.
pub(super) struct PeerLog {
    start: Instant,
    /// Milliseconds from `start` to the last bytes from each peer.
    heard: Vec<AtomicU64>,
    /// How each peer's connection ended, if it did.
    ended: Mutex<Vec<Option<String>>>,
}

impl PeerLog {
    pub(super) fn new(processes: usize) -> Arc<PeerLog> {
        Arc::new(PeerLog {
            start: Instant::now(),
            heard: (0..processes).map(|_| AtomicU64::new(0)).collect(),
            ended: Mutex::new(vec![None; processes]),
        })
    }

    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn heard(&self, peer: usize) {
        self.heard[peer].store(self.now(), Ordering::Relaxed);
    }

    /// As if every peer had just been heard from.
    pub(super) fn heard_all(&self) {
        for peer in 0..self.heard.len() {
            self.heard(peer);
        }
    }

    fn ended(&self, peer: usize, how: String) {
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        ended[peer].get_or_insert(how);
    }

    /// The first peer whose connection ended, and how.
    pub(super) fn first_ended(&self) -> Option<(usize, String)> {
        let ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        (ended.iter().enumerate()).find_map(|(peer, how)| how.clone().map(|how| (peer, how)))
    }

    /// A peer (other than `me`) still connected from which nothing came for `silence`.
    pub(super) fn silent(&self, me: usize, silence: Duration) -> Option<usize> {
        let ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.now();
        (0..self.heard.len()).find(|&peer| {
            let last = self.heard[peer].load(Ordering::Relaxed);
            peer != me
                && ended[peer].is_none()
                && Duration::from_millis(now.saturating_sub(last)) >= silence
        })
    }

    /// How long ago `since` (from [`PeerLog::mark`]) was.
    pub(super) fn since(&self, since: u64) -> Duration {
        Duration::from_millis(self.now().saturating_sub(since))
    }

    /// Now, as [`PeerLog::since`] counts.
    pub(super) fn mark(&self) -> u64 {
        self.now()
    }
}

/// Bytes of the header timely puts before every message: six big-endian `u64`s, the fifth
/// the length of the message that follows (`timely::communication::networking::MessageHeader`).
const HEADER: usize = 48;

/// A connection to one peer that notes in a [`PeerLog`] when bytes arrive and when it ends.
///
/// It also keeps timely from taking the process down when the peer goes. timely's network
/// threads panic when their connection fails, which poisons the channels the workers
/// push to; the workers then panic inside timely's operators, whose destructors push
/// again while the panic unwinds, and a panic in a destructor during unwinding aborts the
/// process. So a connection that fails, or ends before the peer said goodbye (a message
/// of length 0, timely's clean shutdown, which this follows by reading the headers), is
/// noted and its thread waits for ever: [`super::run`] sees the note and returns the error.
pub(super) struct Watched {
    stream: TcpStream,
    peer: usize,
    log: Arc<PeerLog>,
    /// The header being read, when a read stopped inside one.
    header: Vec<u8>,
    /// Bytes of the current message still to come.
    payload: usize,
    /// Whether the peer has said goodbye: then the end of the stream is expected.
    goodbye: bool,
}

impl Watched {
    pub(super) fn new(stream: TcpStream, peer: usize, log: &Arc<PeerLog>) -> Watched {
        log.heard(peer);
        Watched {
            stream,
            peer,
            log: Arc::clone(log),
            header: Vec::with_capacity(HEADER),
            payload: 0,
            goodbye: false,
        }
    }

    /// Follows the message boundaries in `bytes`, the next bytes of the stream.
    fn follow(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.payload > 0 {
                let skipped = self.payload.min(bytes.len());
                self.payload -= skipped;
                bytes = &bytes[skipped..];
                continue;
            }
            let taken = (HEADER - self.header.len()).min(bytes.len());
            self.header.extend_from_slice(&bytes[..taken]);
            bytes = &bytes[taken..];
            if self.header.len() == HEADER {
                let mut length = [0; 8];
                length.copy_from_slice(&self.header[32..40]);
                let length = u64::from_be_bytes(length);
                self.header.clear();
                match length {
                    0 => self.goodbye = true,
                    n => self.payload = usize::try_from(n).unwrap_or(usize::MAX),
                }
            }
        }
    }

    /// Notes that the connection ended (`how`), and waits for ever (see [`Watched`]).
    fn lost(&self, how: String) -> ! {
        self.log.ended(self.peer, how);
        loop {
            std::thread::park();
        }
    }
}

impl Read for Watched {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.stream.read(buf);
        match &read {
            Ok(0) if !buf.is_empty() && !self.goodbye => {
                self.lost("it closed without a goodbye".into())
            }
            Ok(n) => {
                self.log.heard(self.peer);
                self.follow(&buf[..*n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => self.lost(e.to_string()),
        }
        read
    }
}

impl Write for Watched {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.stream.write(buf) {
            Err(e) if e.kind() != io::ErrorKind::Interrupted => self.lost(e.to_string()),
            written => written,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.stream.flush() {
            Err(e) if e.kind() != io::ErrorKind::Interrupted => self.lost(e.to_string()),
            flushed => flushed,
        }
    }
}

impl Stream for Watched {
    fn try_clone(&self) -> io::Result<Self> {
        let mut clone = Watched::new(self.stream.try_clone()?, self.peer, &self.log);
        clone.goodbye = self.goodbye;
        Ok(clone)
    }

    fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.stream.set_nonblocking(nonblocking)
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.stream.shutdown(how)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_kept_once_each_and_at_most_a_few() {
        let mut said = std::collections::HashSet::new();
        let from: SocketAddr = "127.0.0.1:9".parse().expect("an address");
        refused(&mut said, 0, from, Some(1), "no proof");
        refused(&mut said, 0, from, Some(1), "no proof");
        refused(&mut said, 0, from, Some(2), "no proof");
        assert_eq!(said.len(), 2, "once per process claimed");
        for junk in 0..1000 {
            refused(&mut said, 0, from, None, &format!("bytes {junk:08x}"));
        }
        assert_eq!(
            said.len(),
            SAID_MOST + 1,
            "the said and one 'more were refused'"
        );
    }

    #[test]
    fn a_dialer_tries_every_address_of_a_host_in_turn() {
        // A port nobody listens on: bound, then let go.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let closed_at = closed.local_addr().expect("an address");
        drop(closed);
        let open = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let open_at = open.local_addr().expect("an address");
        let deadline = Instant::now() + Duration::from_secs(5);
        let stream = connect_any(&[closed_at, open_at], deadline);
        let stream = stream.expect("the second address answers");
        assert_eq!(stream.peer_addr().ok(), Some(open_at));
        let why = connect_any(&[closed_at], deadline).expect_err("nobody listens");
        assert!(why.to_string().contains("refused"), "{why}");
        let why = connect_any(&[], deadline).expect_err("no address");
        assert!(why.to_string().contains("no such host"), "{why}");
    }
}
