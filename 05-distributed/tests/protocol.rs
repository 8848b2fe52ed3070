//! The frame decoder against hostile bytes (property tests): whatever a peer sends, the
//! scheduler gets a message or an error, never a panic, and never reads past a length it
//! refused. Given code: these pass on the untouched stubs.

use lesson_05_distributed::protocol::{
    self, ClientId, FromClient, FromWorker, Hello, MAX_FRAME, NewTask, TaskId, ToWorker,
};
use proptest::prelude::*;
use tokio_util::bytes::{BufMut, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// Every frame in `bytes`, fed to the decoder `chunk` bytes at a time, as a socket would.
fn frames_in_chunks(bytes: &[u8], chunk: usize) -> Result<Vec<Vec<u8>>, std::io::Error> {
    let mut codec = protocol::codec();
    let (mut buffer, mut frames) = (BytesMut::new(), Vec::new());
    for piece in bytes.chunks(chunk.max(1)) {
        buffer.extend_from_slice(piece);
        while let Some(frame) = codec.decode(&mut buffer)? {
            frames.push(frame.to_vec());
        }
    }
    Ok(frames)
}

fn submit(tasks: Vec<(u64, String, Vec<u8>)>) -> FromClient {
    FromClient::Submit(
        tasks
            .into_iter()
            .map(|(n, name, args)| NewTask {
                id: TaskId {
                    client: ClientId(3),
                    n,
                },
                name,
                args,
                needs: None,
                pin: None,
                inputs: None,
                keep: false,
            })
            .collect(),
    )
}

proptest! {
    #[test]
    fn any_bytes_are_a_message_or_an_error_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = protocol::decode::<Hello>(&bytes);
        let _ = protocol::decode::<FromClient>(&bytes);
        let _ = protocol::decode::<FromWorker>(&bytes);
        let _ = protocol::decode::<ToWorker>(&bytes);
        let _ = frames_in_chunks(&bytes, 7);
    }

    #[test]
    fn messages_survive_any_split_into_reads(
        batches in proptest::collection::vec(
            proptest::collection::vec((any::<u64>(), "[a-z_]{0,12}", proptest::collection::vec(any::<u8>(), 0..40)), 0..20),
            1..5),
        chunk in 1usize..64,
    ) {
        let messages: Vec<FromClient> = batches.into_iter().map(submit).collect();
        let mut stream = BytesMut::new();
        for message in &messages {
            protocol::codec().encode(protocol::encode(message).expect("encodes"), &mut stream).expect("fits");
        }
        let frames = frames_in_chunks(&stream, chunk).expect("well-formed frames");
        let decoded: Vec<FromClient> = frames.iter().map(|f| protocol::decode(f).expect("decodes")).collect();
        prop_assert_eq!(decoded, messages);
    }

    #[test]
    fn a_length_over_the_limit_is_refused_from_its_prefix(extra in 1u32..u32::MAX - MAX_FRAME as u32) {
        let mut prefix = BytesMut::new();
        prefix.put_u32(MAX_FRAME as u32 + extra);
        // Only the four bytes of the length: the decoder must refuse without waiting for
        // (or setting memory aside for) the body.
        let outcome = protocol::codec().decode(&mut prefix);
        prop_assert!(outcome.is_err(), "a {}-byte frame was not refused", MAX_FRAME as u32 + extra);
    }
}

#[test]
fn a_message_over_the_limit_is_not_sent() {
    let huge = FromClient::Scatter {
        key: "big".into(),
        bytes: vec![0; MAX_FRAME + 1],
    };
    assert!(matches!(
        protocol::encode(&huge),
        Err(protocol::ProtocolError::TooLarge { .. })
    ));
}
