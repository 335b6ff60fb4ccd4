package query

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Values of KQL operators: the tokens glued to a "name:" and what they mean
// for each operator.

// part is one adjacent token of a value.
type part struct {
	kind tokKind // tWord, tQuoted or tWiki
	text string
	tok  token
}

// value reads the tokens glued to a name token: `name:` must be followed,
// without a space, by words, quoted strings or [[links]].
func (p *parser) value(name token) ([]part, error) {
	var parts []part
	for t := p.peek(); t.adj && (t.kind == tWord || t.kind == tQuoted || t.kind == tWiki); t = p.peek() {
		parts = append(parts, part{t.kind, t.text, t})
		p.advance()
	}
	if len(parts) == 0 {
		return nil, p.errTok(name, fmt.Sprintf("missing value after %s:", name.text), fmt.Sprintf("write it right after the colon, as in %s:value (quote values with spaces)", name.text))
	}
	return parts, nil
}

// single returns a one-token value's text and whether it was quoted (or a
// [[link]]); a value of several glued tokens is an error.
func (p *parser) single(name token, parts []part) (string, bool, error) {
	if len(parts) > 1 {
		return "", false, p.errTok(parts[1].tok, fmt.Sprintf("unexpected %q in the value of %s:", parts[1].tok.text, name.text), "quote the whole value")
	}
	return parts[0].text, parts[0].kind != tWord, nil
}

// shift is t without its first n bytes (all ASCII: an operator or prefix
// that was split off).
func shift(t token, n int) token {
	t.off += n
	t.col += n
	t.text = t.text[min(n, len(t.text)):]
	return t
}

// item is one element of a list or range value.
type item struct {
	text   string
	quoted bool
	tok    token
}

// split cuts a value at sep ("," or ".."; "" joins it into one item)
// outside quotes; a piece made of a
// quoted string alone is quoted, a mix of bare and quoted text is an error.
func (p *parser) split(name token, parts []part, sep string) ([]item, error) {
	var items []item
	cur, curQuoted, curMixed, curTok, started := "", false, false, parts[0].tok, false
	flush := func() {
		items = append(items, item{cur, curQuoted && !curMixed, curTok})
		cur, curQuoted, curMixed, started = "", false, false, false
	}
	for _, pt := range parts {
		if pt.kind != tWord {
			if started {
				curMixed = true
			}
			cur, curQuoted, curTok, started = cur+pt.text, true, pt.tok, true
			continue
		}
		off := 0
		pieces := []string{pt.text}
		if sep != "" {
			pieces = strings.Split(pt.text, sep)
		}
		for i, piece := range pieces {
			if i > 0 {
				flush()
				off += len(sep)
			}
			// The piece as a token of its own, for errors that point at it.
			pieceTok := token{kind: tWord, text: piece, off: pt.tok.off + off, end: pt.tok.off + off + len(piece),
				col: pt.tok.col + utf8.RuneCountInString(pt.text[:off])}
			if !started || !curQuoted {
				curTok = pieceTok
			}
			if piece != "" {
				if started {
					curMixed = true
				}
				cur, started = cur+piece, true
			}
			off += len(piece)
		}
	}
	flush()
	return items, nil
}

// hasSep reports whether sep appears in the bare parts of a value.
func hasSep(parts []part, sep string) bool {
	for _, pt := range parts {
		if pt.kind == tWord && strings.Contains(pt.text, sep) {
			return true
		}
	}
	return false
}

func (p *parser) operator(name token) (Expr, error) {
	parts, err := p.value(name)
	if err != nil {
		return nil, err
	}
	quotedName := strings.HasPrefix(p.src(name), `"`)
	if quotedName || !operatorNames[name.text] {
		return p.field(name, parts)
	}
	switch name.text {
	case "tag":
		exact := parts[0].kind == tWord && strings.HasPrefix(parts[0].text, "=")
		if exact {
			if parts[0].text == "=" {
				parts = parts[1:]
			} else {
				parts = append([]part{{tWord, parts[0].text[1:], shift(parts[0].tok, 1)}}, parts[1:]...)
			}
			if len(parts) == 0 {
				return nil, p.errTok(name, "empty tag", "as in tag:=project")
			}
		}
		v, _, err := p.single(name, parts)
		if err != nil {
			return nil, err
		}
		tag := NormalizeTag(v)
		if tag == "" {
			return nil, p.errTok(parts[0].tok, "empty tag", "as in tag:project/kota")
		}
		return &Tag{Name: tag, Exact: exact}, nil
	case "path":
		return p.path(name, parts)
	case "title", "body":
		return p.textValue(name, parts, name.text, false)
	case "heading", "headings":
		return p.textValue(name, parts, "headings", false)
	case "exact":
		return p.exactValue(name, parts)
	case "sub", "re":
		v, _, err := p.single(name, parts)
		if err != nil {
			return nil, err
		}
		if name.text == "re" {
			return p.regexNode(parts[0].tok, v, "")
		}
		if v == "" {
			return nil, p.errTok(parts[0].tok, "empty substring", "")
		}
		return &Text{Kind: Substring, Value: v}, nil
	case "has":
		v, _, err := p.single(name, parts)
		if err != nil || v == "" {
			return nil, p.errTok(name, "has: needs a field name", "as in has:status")
		}
		return &Field{Name: v, Cond: Cond{Op: CondExists}}, nil
	case "in", "lang":
		v, _, err := p.single(name, parts)
		if err != nil {
			return nil, err
		}
		if v == "" {
			return nil, p.errTok(parts[0].tok, "empty name", "")
		}
		if name.text == "in" {
			return &Collection{v}, nil
		}
		return &Lang{strings.ToLower(v)}, nil
	case "links", "backlinks", "near":
		v, _, err := p.single(name, parts)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(v) == "" {
			return nil, p.errTok(parts[0].tok, "empty note", "name a note: [[Note]], a path or a key")
		}
		var e Expr
		switch name.text {
		case "links":
			e = &LinksTo{Note: v}
		case "backlinks":
			e = &LinkedFrom{Note: v}
		default:
			e = &Near{Note: v}
		}
		p.lastGraph = e
		return e, nil
	case "between":
		ends, err := p.split(name, parts, "..")
		if err != nil {
			return nil, err
		}
		if len(ends) != 2 || strings.TrimSpace(ends[0].text) == "" || strings.TrimSpace(ends[1].text) == "" {
			return nil, p.errTok(parts[0].tok, "between: needs two notes", "write between:[[A]]..[[B]]")
		}
		e := &Between{From: ends[0].text, To: ends[1].text}
		p.lastGraph = e
		return e, nil
	case "is":
		v, _, err := p.single(name, parts)
		if err != nil {
			return nil, err
		}
		switch v {
		case "orphan":
			return &Orphan{}, nil
		case "unresolved":
			return &Unresolved{}, nil
		}
		return nil, p.errTok(parts[0].tok, fmt.Sprintf("unknown is:%s", v), "expected is:orphan or is:unresolved")
	}
	// created, updated
	c, err := p.cond(name, parts, true)
	if err != nil {
		return nil, err
	}
	if c.Op != CondEq && c.Op != CondRange {
		return nil, p.errTok(parts[0].tok, name.text+": takes a date or a date range", "as in "+name.text+":>2025-01-01 or "+name.text+":last-week")
	}
	return &Date{Field: name.text, Cond: c}, nil
}

// src is the source text of a token.
func (p *parser) src(t token) string { return p.source[t.off:t.end] }

func (p *parser) path(name token, parts []part) (Expr, error) {
	if parts[0].kind == tWord && strings.HasPrefix(parts[0].text, "=") {
		v := parts[0].text[1:]
		for _, pt := range parts[1:] {
			v += pt.text
		}
		if v == "" {
			return nil, p.errTok(parts[0].tok, "empty path", "as in path:=notes/a.md")
		}
		return &Path{Op: PathEq, Value: v}, nil
	}
	if hasSep(parts, "..") {
		ends, err := p.split(name, parts, "..")
		if err != nil {
			return nil, err
		}
		if len(ends) != 2 || ends[0].text == "" && ends[1].text == "" {
			return nil, p.errTok(parts[0].tok, "bad path range", "write path:a..m, path:a.. or path:..m")
		}
		return &Path{Op: PathRange, Lo: ends[0].text, Hi: ends[1].text}, nil
	}
	v := ""
	for _, pt := range parts {
		v += pt.text
	}
	switch {
	case strings.ContainsAny(v, "*?"):
		if _, err := CompileGlob(v); err != nil {
			return nil, p.errTok(parts[0].tok, err.Error(), "")
		}
		return &Path{Op: PathGlob, Value: v}, nil
	}
	return &Path{Op: PathPrefix, Value: v}, nil
}

// textValue: a word (term, prefix*, fuzzy~) or a "quoted phrase" searched
// in one text field.
func (p *parser) textValue(name token, parts []part, field string, exact bool) (Expr, error) {
	v, quoted, err := p.single(name, parts)
	if err != nil {
		return nil, err
	}
	if v == "" {
		return nil, p.errTok(parts[0].tok, "empty text", "")
	}
	if quoted {
		return &Text{Kind: Phrase, Value: v, Field: field, Exact: exact}, nil
	}
	return p.textWord(parts[0].tok, v, field, exact)
}

// exactValue: exact:word, exact:"phrase", exact:pre*, exact:title:word,
// exact:sub:text.
func (p *parser) exactValue(name token, parts []part) (Expr, error) {
	if first := parts[0]; first.kind == tWord {
		for _, inner := range []string{"title", "heading", "headings", "body", "sub"} {
			rest, ok := strings.CutPrefix(first.text, inner+":")
			if !ok {
				continue
			}
			rem := parts[1:]
			if rest != "" {
				rem = append([]part{{tWord, rest, shift(first.tok, len(inner)+1)}}, rem...)
			}
			if len(rem) == 0 {
				return nil, p.errTok(first.tok, fmt.Sprintf("missing text after exact:%s:", inner), "")
			}
			if inner == "sub" {
				v, _, err := p.single(name, rem)
				if err != nil {
					return nil, err
				}
				return &Text{Kind: Substring, Value: v, Exact: true}, nil
			}
			if inner == "heading" {
				inner = "headings"
			}
			return p.textValue(name, rem, inner, true)
		}
	}
	return p.textValue(name, parts, "", true)
}

func (p *parser) field(name token, parts []part) (Expr, error) {
	if name.text == "" {
		return nil, p.errTok(name, "empty field name", "")
	}
	c, err := p.cond(name, parts, false)
	if err != nil {
		return nil, err
	}
	return &Field{Name: name.text, Cond: c}, nil
}

// cond reads a field or date condition: a value, a comparison, a range or
// a list. For dates (created:, updated:) every value must be a date.
func (p *parser) cond(name token, parts []part, date bool) (Cond, error) {
	literal := func(it item) (Value, error) {
		if it.quoted && !date {
			return Str(it.text), nil
		}
		if date {
			if _, err := ParseDate(it.text); err != nil {
				return Value{}, p.errTok(it.tok, err.Error(), "")
			}
			return DateOf(it.text), nil // created:2025 is a year, not a number
		}
		return Literal(it.text), nil
	}
	bound := func(it item, inclusive bool) (*Bound, error) {
		if it.text == "" && !it.quoted {
			return nil, nil
		}
		v, err := literal(it)
		if err != nil {
			return nil, err
		}
		if v.Kind != NumberValue && v.Kind != DateValue {
			return nil, p.errTok(it.tok, fmt.Sprintf("%q is not a number or a date", it.text), "ranges compare numbers and dates; for text use "+name.text+":value")
		}
		return &Bound{Value: v, Inclusive: inclusive}, nil
	}
	first := parts[0]
	if first.kind == tWord {
		for _, op := range []string{">=", "<=", ">", "<"} {
			rest, ok := strings.CutPrefix(first.text, op)
			if !ok {
				continue
			}
			items, err := p.split(name, append([]part{{tWord, rest, shift(first.tok, len(op))}}, parts[1:]...), "")
			if err != nil {
				return Cond{}, err
			}
			if items[0].text == "" {
				return Cond{}, p.errTok(first.tok, "missing value after "+op, fmt.Sprintf("as in %s:%s2", name.text, op))
			}
			b, err := bound(items[0], strings.HasSuffix(op, "="))
			if err != nil {
				return Cond{}, err
			}
			if op[0] == '>' {
				return Cond{Op: CondRange, Lo: b}, nil
			}
			return Cond{Op: CondRange, Hi: b}, nil
		}
	}
	if hasSep(parts, "..") {
		ends, err := p.split(name, parts, "..")
		if err != nil {
			return Cond{}, err
		}
		if len(ends) != 2 {
			return Cond{}, p.errTok(first.tok, "a range has two ends", fmt.Sprintf("write %s:a..b, %s:a.. or %s:..b", name.text, name.text, name.text))
		}
		lo, err := bound(ends[0], true)
		if err != nil {
			return Cond{}, err
		}
		hi, err := bound(ends[1], true)
		if err != nil {
			return Cond{}, err
		}
		if lo == nil && hi == nil {
			return Cond{}, p.errTok(first.tok, "empty range", "give at least one end")
		}
		c := Cond{Op: CondRange, Lo: lo, Hi: hi}
		if err := validateCond(c, "", date); err != nil {
			return Cond{}, p.errTok(first.tok, err.(*Error).Msg, err.(*Error).Hint)
		}
		return c, nil
	}
	if hasSep(parts, ",") && !date {
		items, err := p.split(name, parts, ",")
		if err != nil {
			return Cond{}, err
		}
		c := Cond{Op: CondIn}
		for _, it := range items {
			if it.text == "" && !it.quoted {
				return Cond{}, p.errTok(it.tok, "empty list element", "write a,b,c")
			}
			v, err := literal(it)
			if err != nil {
				return Cond{}, err
			}
			c.Values = append(c.Values, v)
		}
		return c, nil
	}
	items, err := p.split(name, parts, "")
	if err != nil {
		return Cond{}, err
	}
	v, err := literal(items[0])
	return Cond{Op: CondEq, Value: v}, err
}
