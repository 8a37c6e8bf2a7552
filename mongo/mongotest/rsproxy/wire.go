package rsproxy

import (
	"encoding/binary"
	"errors"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Wire protocol opcodes the proxy reads. The driver sends OP_MSG, and OP_QUERY only for the
// first hello of a connection (the legacy handshake), whose answer is an OP_REPLY.
const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013
)

// flagChecksum is the OP_MSG flag bit of a trailing CRC-32C.
const flagChecksum = 1 << 0

// maxMessage bounds a frame: MongoDB's maxMessageSizeBytes.
const maxMessage = 48_000_000

// frame is one wire protocol message, header included.
type frame []byte

func (f frame) requestID() int32  { return int32(binary.LittleEndian.Uint32(f[4:8])) }
func (f frame) responseTo() int32 { return int32(binary.LittleEndian.Uint32(f[8:12])) }
func (f frame) opcode() int32     { return int32(binary.LittleEndian.Uint32(f[12:16])) }

// readFrame reads one message: a 16-byte header whose first int32 is the whole length.
func readFrame(r io.Reader) (frame, error) {
	var head [16]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(head[:4]))
	if n < 16 || n > maxMessage {
		return nil, errors.New("rsproxy: bad wire message length")
	}
	f := make(frame, n)
	copy(f, head[:])
	_, err := io.ReadFull(r, f[16:])
	return f, err
}

// body is the command document a message carries: an OP_MSG's kind-0 section, an OP_QUERY's
// query, an OP_REPLY's first document. nil when the message holds none the proxy can read.
func (f frame) body() bson.Raw {
	switch f.opcode() {
	case opMsg:
		if len(f) < 21 {
			return nil
		}
		flags := binary.LittleEndian.Uint32(f[16:20])
		end := len(f)
		if flags&flagChecksum != 0 {
			end -= 4
		}
		for i := 20; i < end; {
			kind := f[i]
			i++
			n := docLen(f[i:end])
			if n < 0 {
				return nil
			}
			if kind == 0 {
				return bson.Raw(f[i : i+n])
			}
			i += n // a kind-1 section: its size covers identifier and documents
		}
	case opQuery:
		// flags, fullCollectionName (cstring), numberToSkip, numberToReturn, query.
		i := 20
		for i < len(f) && f[i] != 0 {
			i++
		}
		i += 1 + 8
		if i < len(f) {
			if n := docLen(f[i:]); n > 0 {
				return bson.Raw(f[i : i+n])
			}
		}
	case opReply:
		// responseFlags, cursorID, startingFrom, numberReturned, documents.
		if i := 36; i < len(f) {
			if n := docLen(f[i:]); n > 0 {
				return bson.Raw(f[i : i+n])
			}
		}
	}
	return nil
}

// docLen is the length of the BSON document (or OP_MSG kind-1 section) at the start of b, or
// -1 when b is too short to hold it.
func docLen(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	n := int(int32(binary.LittleEndian.Uint32(b[:4])))
	if n < 5 || n > len(b) {
		return -1
	}
	return n
}

// reply builds the answer to request req holding doc: an OP_REPLY to an OP_QUERY, else an
// OP_MSG. Its own request id is the proxy's business; the driver matches on responseTo.
func reply(req frame, doc bson.Raw) frame {
	op := int32(opMsg)
	if req.opcode() == opQuery {
		op = opReply
	}
	return build(op, 0, req.requestID(), doc)
}

// withBody is reply f (a server's answer) with its command document replaced by doc, keeping
// its ids and opcode; an OP_MSG loses its checksum, which would no longer hold.
func (f frame) withBody(doc bson.Raw) frame {
	return build(f.opcode(), f.requestID(), f.responseTo(), doc)
}

// build writes a one-document OP_REPLY or OP_MSG.
func build(op, requestID, responseTo int32, doc bson.Raw) frame {
	out := make([]byte, 16, 16+21+len(doc))
	binary.LittleEndian.PutUint32(out[4:8], uint32(requestID))
	binary.LittleEndian.PutUint32(out[8:12], uint32(responseTo))
	binary.LittleEndian.PutUint32(out[12:16], uint32(op))
	if op == opReply {
		out = binary.LittleEndian.AppendUint32(out, 0) // responseFlags
		out = binary.LittleEndian.AppendUint64(out, 0) // cursorID: a command reply has none
		out = binary.LittleEndian.AppendUint32(out, 0) // startingFrom
		out = binary.LittleEndian.AppendUint32(out, 1) // numberReturned
	} else {
		out = binary.LittleEndian.AppendUint32(out, 0) // flags: no checksum, nothing more to come
		out = append(out, 0)                           // a kind-0 section: the body
	}
	out = append(out, doc...)
	binary.LittleEndian.PutUint32(out[:4], uint32(len(out)))
	return out
}
