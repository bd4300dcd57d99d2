//! What one process sends another in a round, as timely_communication
//! carries it: a small header and the payload's bytes.

use timely_bytes::arc::Bytes;
use timely_communication::Bytesable;

/// One process's message of one round to one other process.
pub(crate) struct Frame {
    /// The round's number: every process counts its rounds.
    pub(crate) round: u64,
    /// The step of the job the round belongs to ([`crate::peers::Step`]).
    pub(crate) step: u8,
    /// The sending process.
    pub(crate) from: usize,
    pub(crate) body: Body,
}

/// What a frame says.
pub(crate) enum Body {
    /// The sender's bytes for this process.
    Data(Vec<u8>),
    /// The job failed on the sender, with this error.
    Failed(String),
    /// The sender's Context is gone: no more rounds will come from it.
    Bye,
}

const HEADER: usize = 8 + 1 + 4 + 1;

impl Bytesable for Frame {
    fn from_bytes(bytes: Bytes) -> Self {
        let bytes: &[u8] = &bytes;
        let (header, rest) = bytes.split_at(HEADER.min(bytes.len()));
        let field = |range: std::ops::Range<usize>| header.get(range).unwrap_or(&[]);
        let round = u64::from_le_bytes(field(0..8).try_into().unwrap_or([0; 8]));
        let step = field(8..9).first().copied().unwrap_or(0);
        let from = u32::from_le_bytes(field(9..13).try_into().unwrap_or([0; 4])) as usize;
        let body = match field(13..14).first() {
            Some(0) => Body::Data(rest.to_vec()),
            Some(1) => Body::Failed(String::from_utf8_lossy(rest).into_owned()),
            _ => Body::Bye,
        };
        Frame {
            round,
            step,
            from,
            body,
        }
    }

    fn length_in_bytes(&self) -> usize {
        HEADER
            + match &self.body {
                Body::Data(bytes) => bytes.len(),
                Body::Failed(message) => message.len(),
                Body::Bye => 0,
            }
    }

    fn into_bytes<W: std::io::Write>(&self, writer: &mut W) {
        let (tag, rest): (u8, &[u8]) = match &self.body {
            Body::Data(bytes) => (0, bytes),
            Body::Failed(message) => (1, message.as_bytes()),
            Body::Bye => (2, &[]),
        };
        let from = u32::try_from(self.from).unwrap_or(u32::MAX);
        // timely_communication hands us an in-memory buffer sized by
        // `length_in_bytes`: these writes cannot fail.
        let written = writer
            .write_all(&self.round.to_le_bytes())
            .and_then(|()| writer.write_all(&[self.step]))
            .and_then(|()| writer.write_all(&from.to_le_bytes()))
            .and_then(|()| writer.write_all(&[tag]))
            .and_then(|()| writer.write_all(rest));
        debug_assert!(written.is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(frame: &Frame) -> Frame {
        let mut bytes = Vec::new();
        frame.into_bytes(&mut bytes);
        assert_eq!(bytes.len(), frame.length_in_bytes());
        Frame::from_bytes(timely_bytes::arc::BytesMut::from(bytes).freeze())
    }

    #[test]
    fn frames_survive_the_wire() {
        let frame = Frame {
            round: 7,
            step: 2,
            from: 3,
            body: Body::Data(vec![1, 2, 3]),
        };
        let back = round_trip(&frame);
        assert_eq!((back.round, back.step, back.from), (7, 2, 3));
        assert!(matches!(back.body, Body::Data(bytes) if bytes == [1, 2, 3]));
        let failed = Frame {
            body: Body::Failed("boom".into()),
            ..frame
        };
        assert!(matches!(round_trip(&failed).body, Body::Failed(message) if message == "boom"));
        let bye = Frame {
            body: Body::Bye,
            ..failed
        };
        assert!(matches!(round_trip(&bye).body, Body::Bye));
    }
}
