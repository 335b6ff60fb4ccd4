package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/kotadb/kotadb"
)

// getCommand is `kotadb get KEY`.
type getCommand struct {
	g    *globals
	meta bool
	at   string
	seq  uint64 // 0: not given
}

func (c *getCommand) flags() *flag.FlagSet {
	fs := c.g.newFlagSet("get")
	fs.BoolVar(&c.meta, "meta", false, "print the metadata (parsed document) as JSON instead of the content")
	fs.StringVar(&c.at, "at", "", "read the version current at `time` (RFC 3339, 2006-01-02, -2h, -3d)")
	fs.Func("seq", "read the version current at sequence number `n`", func(s string) error {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return fmt.Errorf("want a sequence number ≥ 1")
		}
		c.seq = n
		return nil
	})
	return fs
}

// getJSON is the --json output of get.
type getJSON struct {
	versionJSON
	Value       *string         `json:"value,omitempty"`
	ValueBase64 []byte          `json:"value_base64,omitempty"`
	Meta        json.RawMessage `json:"meta,omitempty"`
}

func (c *getCommand) Run(_ context.Context, args []string) (err error) {
	args, err = c.g.parse("get", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("get", args, 1, 1); err != nil {
		return err
	}
	if c.at != "" && c.seq != 0 {
		return usagef("get", "--at and --seq cannot be used together")
	}
	key := args[0]
	db, err := c.g.openDB(true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)

	// The store's errors name the key and the version asked for.
	var e kotadb.Entry
	switch {
	case c.at != "":
		t, perr := parseTime(c.at, c.g.now())
		if perr != nil {
			return usagef("get", "--at: %v", perr)
		}
		e, err = db.GetAt(key, t)
	case c.seq != 0:
		e, err = db.GetAtSeq(key, c.seq)
	default:
		e, err = db.Get(key)
	}
	if err != nil {
		return err
	}

	meta := func() (json.RawMessage, error) {
		if e.Meta != nil {
			return e.Meta, nil // format 1: the document as it was stored
		}
		doc, err := db.Document(e)
		if err != nil || doc == nil {
			return nil, err
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("get %s: metadata of version %d: %w", key, e.Seq, err)
		}
		return b, nil
	}
	switch {
	case c.g.json:
		m, err := meta()
		if err != nil {
			return err
		}
		out := getJSON{versionJSON: newVersionJSON(e.Version), Meta: m}
		if utf8.Valid(e.Value) {
			s := string(e.Value)
			out.Value = &s
		} else {
			out.ValueBase64 = e.Value
		}
		return writeJSON(c.g.stdout, out)
	case c.meta:
		m, err := meta()
		if err != nil {
			return err
		}
		if len(m) == 0 {
			return fmt.Errorf("get %s: version %d has no metadata", key, e.Seq)
		}
		var doc any
		if err := json.Unmarshal(m, &doc); err != nil {
			return fmt.Errorf("get %s: metadata of version %d: %w", key, e.Seq, err)
		}
		return writeJSON(c.g.stdout, doc)
	}
	_, err = c.g.stdout.Write(e.Value)
	return err
}
