//! Opening a connection: the peer's side of the handshake ([`connect`]), and the
//! scheduler's accept loop's one step ([`accept`]).

use std::net::SocketAddr;

use tokio::net::TcpStream;

use super::{
    Accepted, Answer, Challenge, HANDSHAKE_FRAME, HANDSHAKE_TIMEOUT, Hello, MAX_FRAME,
    ProtocolError, Reader, VERSION, Welcome, Writer, split,
};
use crate::auth::{Nonce, Secret, Side};

/// The next connection on `listener`. An error (out of file descriptors, a connection
/// reset before it was taken) is said on stderr for `who`, and followed by a short wait
/// before the next try: retrying at once would spin.
pub async fn accept(listener: &tokio::net::TcpListener, who: &str) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => return stream,
            Err(err) => {
                eprintln!("{who}: cannot accept a connection: {err}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// Connects to the scheduler at `addr` and shakes hands as `hello`, proving that it holds
/// `secret` and checking that the scheduler does; returns the two halves and what the
/// scheduler said in accepting it. Every step has a deadline of [`HANDSHAKE_TIMEOUT`].
pub async fn connect(
    addr: SocketAddr,
    hello: &Hello,
    secret: &Secret,
) -> Result<(Reader, Writer, Accepted), ProtocolError> {
    let late = |what: &str| {
        ProtocolError::Handshake(format!(
            "the scheduler at {addr} did not {what} within {HANDSHAKE_TIMEOUT:?}"
        ))
    };
    let stream = tokio::time::timeout(HANDSHAKE_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| late("accept the connection"))?
        .map_err(|err| {
            ProtocolError::Handshake(format!(
                "cannot connect to the scheduler at {addr}: {err}. Is `scheduler-05 --listen \
                 {addr}` running?"
            ))
        })?;
    let (mut reader, mut writer) = split(stream)?;
    reader.set_max_frame(HANDSHAKE_FRAME);
    let challenge = tokio::time::timeout(HANDSHAKE_TIMEOUT, reader.expect::<Challenge>())
        .await
        .map_err(|_| late("greet us"))??;
    if challenge.version != VERSION {
        return Err(ProtocolError::Handshake(format!(
            "the scheduler at {addr} speaks protocol version {}, this program {VERSION}: build \
             both from the same source",
            challenge.version
        )));
    }
    let nonce = Nonce::random().map_err(|e| ProtocolError::Handshake(e.to_string()))?;
    let proof = secret.prove(Side::Peer, &challenge.nonce, &nonce);
    writer.feed(hello).await?;
    writer.send(&Answer { nonce, proof }).await?;
    let welcome = tokio::time::timeout(HANDSHAKE_TIMEOUT, reader.expect::<Welcome>())
        .await
        .map_err(|_| late("answer our hello"))??;
    reader.set_max_frame(MAX_FRAME);
    match welcome {
        Welcome::Accepted(accepted)
            if secret.verify(Side::Scheduler, &challenge.nonce, &nonce, &accepted.proof) =>
        {
            Ok((reader, writer, accepted))
        }
        Welcome::Accepted(_) => Err(ProtocolError::Handshake(format!(
            "the scheduler at {addr} could not prove that it holds our secret: it is not the \
             scheduler you meant (another user's, or a stale one). Check the address, and that \
             the secret file is the one that scheduler printed"
        ))),
        // Printed by the peer: a scheduler that has not proved itself yet chose these bytes.
        Welcome::Refused { reason } => {
            Err(ProtocolError::Handshake(shared::report::printable(&reason)))
        }
    }
}
