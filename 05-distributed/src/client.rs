//! The client: what a program uses to put work on the cluster, in dask's words.
//!
//! - [`Client::submit`] sends one task and returns at once with a [`TaskFuture`], a handle
//!   on a result that is not there yet (dask's `Future`, lesson 2's handles, across the
//!   network this time). [`Client::map`] submits many in one message.
//! - Exercise 5.2's `gather` waits for many futures and returns their results in order.
//! - [`Client::scatter`] puts data on a worker under a key; tasks that name the key run
//!   where the data is, so the work travels to the data.
//! - [`Client::run_on_all`] runs one task on every worker: IPython Parallel's direct view.
//! - [`Client::keep`] and [`Client::keep_node`] leave a task's result on its worker and
//!   return a [`Handle`] on it; [`Client::submit_node`] and [`Client::keep_node`] submit a
//!   task that takes such results as inputs: dask's `client.submit(add, x, 10)`, a task
//!   graph. [`Client::fetch`] brings a kept result here. Dropping a handle tells the
//!   scheduler the result may go once no task needs it.
//!
//! Inside, one tokio task owns the connection. It writes what the client's methods queue,
//! and reads results, which it hands to the right future through a oneshot channel, found
//! in a map from task id to sender.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, ready};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{mpsc, oneshot};

use crate::auth::Secret;
use crate::protocol::{
    self, ClientId, FromClient, Hello, Key, MAX_FRAME, MAX_PAYLOAD, NewTask, ProtocolError,
    TaskError, TaskId, ToClient, VERSION, WorkerId, WorkerInfo,
};
use crate::tasks::{Node, Task};

/// Tasks per `Submit` message: large enough to make the per-task cost small, small enough
/// that a frame stays well under [`MAX_FRAME`] for tasks with a few bytes of arguments.
const SUBMIT_BATCH: usize = 8192;

/// Messages waiting to be written, at most.
const QUEUE: usize = 256;

/// What can go wrong for a client.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    #[error("task {name} #{n} failed: {error}", n = id.n)]
    Task {
        id: TaskId,
        name: String,
        error: TaskError,
    },
    #[error("the connection to the scheduler was lost before task {name} #{n} finished", n = id.n)]
    Disconnected { id: TaskId, name: String },
    #[error("the output of task {name} #{n} does not decode: {reason}", n = id.n)]
    Decode {
        id: TaskId,
        name: String,
        reason: String,
    },
    #[error("{0}")]
    Connection(String),
}

impl From<ProtocolError> for ClientError {
    fn from(err: ProtocolError) -> ClientError {
        ClientError::Connection(err.to_string())
    }
}

/// The raw outcome of a task, as it comes back from the scheduler.
type Outcome = Result<Vec<u8>, TaskError>;

/// A result that is not there yet: await it for the task's output. See exercise 5.2.
pub struct TaskFuture<T> {
    id: TaskId,
    name: String,
    outcome: oneshot::Receiver<Outcome>,
    output: PhantomData<fn() -> T>,
}

impl<T> TaskFuture<T> {
    pub fn id(&self) -> TaskId {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T: DeserializeOwned> Future for TaskFuture<T> {
    type Output = Result<T, ClientError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let (id, name) = (self.id, self.name.clone());
        Poll::Ready(match ready!(Pin::new(&mut self.outcome).poll(cx)) {
            Err(_) => Err(ClientError::Disconnected { id, name }),
            Ok(Err(error)) => Err(ClientError::Task { id, name, error }),
            Ok(Ok(bytes)) => postcard::from_bytes(&bytes).map_err(|err| ClientError::Decode {
                id,
                name,
                reason: err.to_string(),
            }),
        })
    }
}

/// The other end of a [`TaskFuture`]: for tests, and for code that makes futures of its
/// own. [`promise`] makes a pair.
pub struct Promise(oneshot::Sender<Outcome>);

impl Promise {
    /// Completes the future with `output`.
    pub fn resolve<T: Serialize>(self, output: &T) {
        let bytes = postcard::to_stdvec(output).expect("values of course types encode");
        let _ = self.0.send(Ok(bytes));
    }

    /// Completes the future with an error.
    pub fn fail(self, error: TaskError) {
        let _ = self.0.send(Err(error));
    }
}

/// A future for task `id` named `name`, and the promise that completes it.
pub fn promise<T>(id: TaskId, name: &str) -> (Promise, TaskFuture<T>) {
    let (tx, rx) = oneshot::channel();
    let future = TaskFuture {
        id,
        name: name.to_string(),
        outcome: rx,
        output: PhantomData,
    };
    (Promise(tx), future)
}

/// What the connection task and the client's methods share.
#[derive(Default)]
struct Pending {
    tasks: HashMap<TaskId, oneshot::Sender<Outcome>>,
    queries: VecDeque<oneshot::Sender<Vec<WorkerInfo>>>,
    /// Fetches of kept results, waiting.
    fetches: HashMap<TaskId, Vec<oneshot::Sender<Outcome>>>,
    /// Kept tasks refused here, before they were sent (their arguments too large): what a
    /// fetch of them gets.
    refused: HashMap<TaskId, TaskError>,
    /// Set when the connection is gone: new tasks fail at once.
    closed: bool,
}

/// A connection to the scheduler. Cheap to share behind an `Arc`; every method takes
/// `&self`. Dropping the last reference closes the connection.
pub struct Client {
    id: ClientId,
    next: AtomicU64,
    queue: mpsc::Sender<FromClient>,
    pending: Arc<Mutex<Pending>>,
    /// Where dropped [`Handle`]s say so (unbounded: one id per handle ever made).
    forgets: mpsc::UnboundedSender<TaskId>,
}

/// A task whose result stays on the worker that computed it ([`Client::keep`]): pass it as
/// an input to other tasks, or [`fetch`](Client::fetch) it. Dropping it tells the scheduler
/// that this client no longer needs it: the result goes once no task needs it either.
pub struct Handle<T> {
    id: TaskId,
    name: String,
    /// The client's queue, not keeping its connection open.
    queue: mpsc::WeakSender<FromClient>,
    forgets: mpsc::UnboundedSender<TaskId>,
    output: PhantomData<fn() -> T>,
}

impl<T> Handle<T> {
    pub fn id(&self) -> TaskId {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T> Drop for Handle<T> {
    fn drop(&mut self) {
        // In the queue, after what the client sent before; if it is full, on the side
        // channel. The connection may be gone already: then so is everything it kept.
        let forget = FromClient::Forget(vec![self.id]);
        let queued = (self.queue.upgrade()).is_some_and(|queue| queue.try_send(forget).is_ok());
        if !queued {
            let _ = self.forgets.send(self.id);
        }
    }
}

/// How a batch of tasks is submitted.
#[derive(Default, Clone, Copy)]
struct Spec<'a> {
    needs: Option<&'a Key>,
    pin: Option<WorkerId>,
    inputs: Option<&'a [TaskId]>,
    keep: bool,
}

fn lock(pending: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    pending.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Client {
    /// Connects to the scheduler at `addr`, proving that it holds `secret`. Must be
    /// called on a tokio runtime: the connection's task runs there.
    pub async fn connect(addr: SocketAddr, secret: &Secret) -> Result<Client, ClientError> {
        let hello = Hello::Client { version: VERSION };
        let (mut reader, mut writer, welcome) = protocol::connect(addr, &hello, secret).await?;
        let id = welcome.id;
        let silence = std::time::Duration::from_millis(welcome.silence_ms.max(1));
        let (queue, mut outgoing) = mpsc::channel::<FromClient>(QUEUE);
        let (forgets, mut forgotten) = mpsc::unbounded_channel::<TaskId>();
        let pending = Arc::new(Mutex::new(Pending::default()));
        let shared = Arc::clone(&pending);
        tokio::spawn(async move {
            let read = async {
                while let Some(message) = reader.recv_within::<ToClient>(silence).await? {
                    let mut pending = lock(&shared);
                    match message {
                        ToClient::Done(results) => {
                            for finished in results {
                                if let Some(tx) = pending.tasks.remove(&finished.id) {
                                    let _ = tx.send(finished.result);
                                } else if let Some(waiting) = pending.fetches.remove(&finished.id) {
                                    for tx in waiting {
                                        let _ = tx.send(finished.result.clone());
                                    }
                                }
                            }
                        }
                        ToClient::Heartbeat => {}
                        ToClient::NoWorkers(tasks) => eprintln!(
                            "client: the scheduler has no workers left: {tasks} tasks wait for \
                             one to join (start worker-05, or stop with Ctrl-C)"
                        ),
                        ToClient::Workers(workers) => {
                            if let Some(tx) = pending.queries.pop_front() {
                                let _ = tx.send(workers);
                            }
                        }
                        ToClient::Goodbye(why) => {
                            eprintln!(
                                "client: the scheduler stopped: {}",
                                shared::report::printable(&why)
                            );
                            break;
                        }
                    }
                }
                Ok::<(), ProtocolError>(())
            };
            let write = async {
                loop {
                    // Queued messages first: a task submitted before a handle was dropped
                    // reaches the scheduler before the handle's forget.
                    let message = tokio::select! {
                        biased;
                        message = outgoing.recv() => match message {
                            Some(message) => message,
                            None => break,
                        },
                        Some(id) = forgotten.recv() => {
                            let mut ids = vec![id];
                            while ids.len() < SUBMIT_BATCH
                                && let Ok(id) = forgotten.try_recv()
                            {
                                ids.push(id);
                            }
                            FromClient::Forget(ids)
                        }
                    };
                    writer.feed(&message).await?;
                    while let Ok(more) = outgoing.try_recv() {
                        writer.feed(&more).await?;
                    }
                    writer.flush().await?;
                }
                Ok::<(), ProtocolError>(())
            };
            // Either side ending ends the connection: the client was dropped, or the
            // scheduler went away.
            let outcome = tokio::select! { outcome = read => outcome, outcome = write => outcome };
            if let Err(err) = outcome {
                eprintln!("client: connection to the scheduler lost: {err}");
            }
            // Every waiting future learns that its result will never come.
            let mut pending = lock(&shared);
            pending.closed = true;
            pending.tasks.clear();
            pending.queries.clear();
            pending.fetches.clear();
        });
        Ok(Client {
            id: ClientId(id),
            next: AtomicU64::new(0),
            queue,
            pending,
            forgets,
        })
    }

    /// Queues a message for the connection task.
    async fn send(&self, message: FromClient) -> Result<(), ClientError> {
        self.queue.send(message).await.map_err(|_| {
            ClientError::Connection("the connection to the scheduler is closed".into())
        })
    }

    fn next_id(&self) -> TaskId {
        TaskId {
            client: self.id,
            n: self.next.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Registers a future for a task about to be submitted.
    fn register<T>(&self, name: &str) -> (TaskId, TaskFuture<T>) {
        let id = self.next_id();
        let (Promise(tx), future) = promise(id, name);
        let mut pending = lock(&self.pending);
        if !pending.closed {
            pending.tasks.insert(id, tx);
        } // else: `tx` is dropped and the future fails with `Disconnected`.
        (id, future)
    }

    /// Submits task `T` with `args`.
    pub async fn submit<T: Task>(&self, args: &T::Args) -> TaskFuture<T::Output> {
        self.submit_named(T::NAME, args, None).await
    }

    /// Submits task `T` to run where the data under `key` is.
    pub async fn submit_near<T: Task>(&self, args: &T::Args, key: &Key) -> TaskFuture<T::Output> {
        self.submit_named(T::NAME, args, Some(key.clone())).await
    }

    /// Submits a task by name: how a client built without the task's type would do it. An
    /// unknown name comes back as [`TaskError::UnknownTask`].
    pub async fn submit_named<O>(
        &self,
        name: &str,
        args: &impl Serialize,
        needs: Option<Key>,
    ) -> TaskFuture<O> {
        let spec = Spec {
            needs: needs.as_ref(),
            ..Spec::default()
        };
        let mut futures = self.submit_all(name, std::iter::once(args), spec).await;
        futures.pop().expect("one task submitted")
    }

    /// Submits task `T` once per item of `args`, in batches: dask's `client.map`.
    pub async fn map<'a, T: Task>(
        &self,
        args: impl IntoIterator<Item = &'a T::Args>,
    ) -> Vec<TaskFuture<T::Output>>
    where
        T::Args: 'a,
    {
        self.submit_all(T::NAME, args, Spec::default()).await
    }

    /// [`Client::map`] for tasks that read the data under `key`.
    pub async fn map_near<'a, T: Task>(
        &self,
        args: impl IntoIterator<Item = &'a T::Args>,
        key: &Key,
    ) -> Vec<TaskFuture<T::Output>>
    where
        T::Args: 'a,
    {
        let spec = Spec {
            needs: Some(key),
            ..Spec::default()
        };
        self.submit_all(T::NAME, args, spec).await
    }

    // ANCHOR: graph_api
    /// Submits task `T` with `args`, its result kept on the worker that computes it: a
    /// [`Handle`] to pass to [`submit_node`](Client::submit_node) or
    /// [`keep_node`](Client::keep_node), or to [`fetch`](Client::fetch).
    pub async fn keep<T: Task>(&self, args: &T::Args) -> Handle<T::Output> {
        self.keep_map::<T>([args])
            .await
            .pop()
            .expect("one task submitted")
    }

    /// [`Client::keep`] once per item of `args`, in batches.
    pub async fn keep_map<'a, T: Task>(
        &self,
        args: impl IntoIterator<Item = &'a T::Args>,
    ) -> Vec<Handle<T::Output>>
    where
        T::Args: 'a,
    {
        let spec = Spec {
            keep: true,
            ..Spec::default()
        };
        self.submit_kept(T::NAME, args, spec).await
    }

    /// Submits node `N` with `args`, taking the results of `inputs` once they are finished:
    /// dask's `client.submit(add, x, 10)`. Its own result comes back, as from
    /// [`submit`](Client::submit).
    pub async fn submit_node<N: Node>(
        &self,
        args: &N::Args,
        inputs: &[&Handle<N::Input>],
    ) -> TaskFuture<N::Output> {
        let ids: Vec<TaskId> = inputs.iter().map(|input| input.id).collect();
        let spec = Spec {
            inputs: Some(&ids),
            ..Spec::default()
        };
        let mut futures = self.submit_all(N::NAME, [args], spec).await;
        futures.pop().expect("one task submitted")
    }

    /// [`Client::submit_node`] whose result is kept too, for the next level of a graph.
    pub async fn keep_node<N: Node>(
        &self,
        args: &N::Args,
        inputs: &[&Handle<N::Input>],
    ) -> Handle<N::Output> {
        let ids: Vec<TaskId> = inputs.iter().map(|input| input.id).collect();
        let spec = Spec {
            inputs: Some(&ids),
            keep: true,
            ..Spec::default()
        };
        let mut handles = self.submit_kept(N::NAME, [args], spec).await;
        handles.pop().expect("one task submitted")
    }

    /// Waits for a kept result and brings it here (it stays on its worker too, while
    /// `handle` lives).
    pub async fn fetch<T: DeserializeOwned>(&self, handle: &Handle<T>) -> Result<T, ClientError> {
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = lock(&self.pending);
            if let Some(error) = pending.refused.get(&handle.id) {
                return Err(ClientError::Task {
                    id: handle.id,
                    name: handle.name.clone(),
                    error: error.clone(),
                });
            }
            if !pending.closed {
                pending.fetches.entry(handle.id).or_default().push(tx);
            }
        }
        self.send(FromClient::Fetch(vec![handle.id])).await?;
        let future = TaskFuture::<T> {
            id: handle.id,
            name: handle.name.clone(),
            outcome: rx,
            output: PhantomData,
        };
        future.await
    }
    // ANCHOR_END: graph_api

    /// Submits kept tasks: like [`Client::submit_all`], with handles in place of futures.
    async fn submit_kept<'a, A: Serialize + 'a, O>(
        &self,
        name: &str,
        args: impl IntoIterator<Item = &'a A>,
        spec: Spec<'_>,
    ) -> Vec<Handle<O>> {
        let futures: Vec<TaskFuture<()>> = self.submit_all(name, args, spec).await;
        let mut pending = lock(&self.pending);
        futures
            .into_iter()
            .map(|mut future| {
                // Its result stays on the worker: nothing comes back to wait for, except an
                // error found here (too many bytes of arguments), which the scheduler never
                // saw: it is kept for a fetch that asks.
                pending.tasks.remove(&future.id);
                if let Ok(Err(error)) = future.outcome.try_recv() {
                    pending.refused.insert(future.id, error);
                }
                Handle {
                    id: future.id,
                    name: future.name,
                    queue: self.queue.downgrade(),
                    forgets: self.forgets.clone(),
                    output: PhantomData,
                }
            })
            .collect()
    }

    async fn submit_all<'a, A: Serialize + 'a, O>(
        &self,
        name: &str,
        args: impl IntoIterator<Item = &'a A>,
        spec: Spec<'_>,
    ) -> Vec<TaskFuture<O>> {
        let mut futures = Vec::new();
        let (mut batch, mut bytes) = (Vec::new(), 0);
        for args in args {
            let (id, future) = self.register(name);
            futures.push(future);
            let encoded = postcard::to_stdvec(args).map_err(|err| err.to_string());
            let args = match encoded {
                Ok(args) if args.len() + name.len() <= MAX_PAYLOAD => args,
                Ok(args) => {
                    let reason = format!(
                        "{} bytes of arguments, over the {MAX_PAYLOAD}-byte limit: scatter \
                         large data and pass its key",
                        args.len()
                    );
                    self.resolve_locally(
                        id,
                        TaskError::BadArgs {
                            task: name.to_string(),
                            reason,
                        },
                    );
                    continue;
                }
                Err(reason) => {
                    self.resolve_locally(
                        id,
                        TaskError::BadArgs {
                            task: name.to_string(),
                            reason,
                        },
                    );
                    continue;
                }
            };
            // A batch goes when it holds SUBMIT_BATCH tasks or half a frame of bytes.
            if bytes + args.len() + name.len() > MAX_PAYLOAD {
                self.send_tasks(std::mem::take(&mut batch)).await;
                bytes = 0;
            }
            bytes += args.len() + name.len() + 32 + 16 * spec.inputs.map_or(0, <[_]>::len);
            batch.push(NewTask {
                id,
                name: name.to_string(),
                args,
                needs: spec.needs.cloned(),
                pin: spec.pin,
                inputs: spec.inputs.map(<[_]>::to_vec),
                keep: spec.keep,
            });
            if batch.len() == SUBMIT_BATCH {
                self.send_tasks(std::mem::take(&mut batch)).await;
                bytes = 0;
            }
        }
        if !batch.is_empty() {
            self.send_tasks(batch).await;
        }
        futures
    }

    /// Sends tasks; if the connection is gone, their futures fail with `Disconnected`.
    async fn send_tasks(&self, batch: Vec<NewTask>) {
        let ids: Vec<TaskId> = batch.iter().map(|task| task.id).collect();
        if self.send(FromClient::Submit(batch)).await.is_err() {
            let mut pending = lock(&self.pending);
            for id in ids {
                pending.tasks.remove(&id);
            }
        }
    }

    fn resolve_locally(&self, id: TaskId, error: TaskError) {
        if let Some(tx) = lock(&self.pending).tasks.remove(&id) {
            let _ = tx.send(Err(error));
        }
    }

    /// Puts `value` on a worker under `key`, and returns the key for
    /// [`submit_near`](Client::submit_near) and [`map_near`](Client::map_near). A later
    /// scatter under the same key replaces the value.
    pub async fn scatter<V: Serialize>(&self, key: &str, value: &V) -> Result<Key, ClientError> {
        if key.starts_with('\0') {
            return Err(ClientError::Connection(format!(
                "{key:?}: a key may not start with a NUL (those name kept results)"
            )));
        }
        let bytes = postcard::to_stdvec(value)
            .map_err(|err| ClientError::Connection(format!("cannot encode {key:?}: {err}")))?;
        // The frame also holds the key and a few bytes of framing.
        if bytes.len() + key.len() + 16 > MAX_FRAME {
            return Err(ClientError::Connection(format!(
                "{key:?} is {} bytes; scattered data must fit in one {MAX_FRAME}-byte frame: \
                 split it under several keys",
                bytes.len()
            )));
        }
        let key = key.to_string();
        self.send(FromClient::Scatter {
            key: key.clone(),
            bytes,
        })
        .await?;
        Ok(key)
    }

    /// Forgets the data this client scattered under `key`, on the scheduler and on every
    /// worker that holds it (dask's `release`). Data also goes when its client leaves.
    pub async fn release(&self, key: &Key) -> Result<(), ClientError> {
        self.send(FromClient::Release { key: key.clone() }).await
    }

    /// The workers connected now.
    pub async fn workers(&self) -> Result<Vec<WorkerInfo>, ClientError> {
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).queries.push_back(tx);
        self.send(FromClient::Workers).await?;
        rx.await
            .map_err(|_| ClientError::Connection("the scheduler went away".into()))
    }

    /// Runs task `T` with `args` once on every worker connected now, and returns each
    /// worker with its outcome: IPython Parallel's direct view (`rc[:].apply(f)`). A worker
    /// lost meanwhile gives [`TaskError::WorkerLost`]; the task does not move elsewhere.
    pub async fn run_on_all<T: Task>(
        &self,
        args: &T::Args,
    ) -> Result<Vec<(WorkerInfo, Result<T::Output, ClientError>)>, ClientError> {
        let workers = self.workers().await?;
        let mut futures = Vec::new();
        for worker in &workers {
            let spec = Spec {
                pin: Some(worker.id),
                ..Spec::default()
            };
            let mut one = self.submit_all::<_, T::Output>(T::NAME, [args], spec).await;
            futures.extend(one.pop());
        }
        let outcomes = futures::future::join_all(futures).await;
        Ok(workers.into_iter().zip(outcomes).collect())
    }
}
