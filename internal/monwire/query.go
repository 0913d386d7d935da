package monwire

import (
	"fmt"
)

// Query is the status query of a monitor (docs/protocol.md §17.2).
type Query struct {
	// ProcID is the address the monitor claims (IPv4 as a number). A real
	// daemon answers only when it is the address of a daemon in its
	// spread.conf, and sends the reply to it.
	ProcID uint32
	// ReplyPort is the UDP port the reply is sent to (the header's seq).
	ReplyPort uint16
	// ConfHash is MonitorHash unless the daemon's own hash is known.
	ConfHash uint32
}

// AppendQuery appends the 40-byte status query in order o.
func AppendQuery(dst []byte, q Query, o ByteOrder) []byte {
	hash := q.ConfHash
	if hash == 0 {
		hash = MonitorHash
	}
	h := Header{Type: StatusType, ProcID: q.ProcID, MembProcID: Magic, Seq: uint32(q.ReplyPort), ConfHash: hash}
	return AppendHeader(dst, &h, o)
}

// QueryProblem says why a datagram is not a status query that a daemon
// answers, in the terms of the checks a real 4.4 daemon makes (length,
// conf_hash, type, magic); "" for a valid query. Which addresses may be
// claimed is the caller's (it knows its configuration).
func QueryProblem(h Header, size int, ownHash uint32) string {
	switch {
	case size != HeaderSize+int(h.DataLen):
		return fmt.Sprintf("%d bytes, header says %d", size, HeaderSize+int(h.DataLen))
	case h.ConfHash != MonitorHash && (ownHash == 0 || h.ConfHash != ownHash):
		return fmt.Sprintf("conf_hash %d is not %d", h.ConfHash, MonitorHash)
	case h.Type&PartitionType != 0 || h.Type&StatusType == 0:
		return "not a status query (" + Kind(h.Type) + ")"
	case h.MembProcID != Magic:
		return fmt.Sprintf("memb_id.proc_id %d is not the monitor magic %d", h.MembProcID, Magic)
	}
	return ""
}
