package query

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// KQL, the search-box language, compiles to the same AST as the JSON form.
// Grammar (EBNF; AND binds tighter than OR; juxtaposition is AND):
//
//	query     = { expr | option } ;
//	expr      = and-expr { ( "OR" | "|" ) and-expr } ;
//	and-expr  = unary { [ "AND" ] ( unary | modifier ) } ;
//	unary     = ( "-" | "NOT" ) unary | primary ;
//	primary   = "(" expr ")" | term | phrase | regex | "#" tag | operator ;
//	term      = word [ "*" | "~" [ "1" | "2" ] ] ;       (* prefix, fuzzy *)
//	phrase    = '"' { char | '\"' | '\\' } '"' ;
//	regex     = "/" { char | "\/" } "/" [ "i" ] ;
//	operator  = name ":" value ;                          (* no space around ':' *)
//	name      = ( letter | "_" ) { letter | digit | "_" | "-" | "." } | phrase ;
//	value     = [ ">" | ">=" | "<" | "<=" | "=" ] atom
//	          | atom ".." atom | atom ".." | ".." atom     (* ranges, inclusive *)
//	          | atom { "," atom } ;                       (* list: any of *)
//	atom      = word | phrase | "[[" note "]]" ;
//	modifier  = ( "depth" | "edges" | "dir" ) ":" value ;  (* of the last graph clause *)
//	option    = ( "sort" | "limit" | "offset" | "select" | "group" | "agg" ) ":" value
//	          | "--exact" ;                               (* top level only *)
//
// Operators: tag: path: title: heading: body: exact: sub: re: has: in:
// lang: links: backlinks: near: between: is: created: updated:. Any other
// name is a frontmatter field (status:active, sig:Comms, priority:>=2,
// "cSpell:ignore":foo); quote a field whose name is an operator.

// ParseKQL parses a KQL query.
func ParseKQL(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{source: src, toks: toks, q: &Query{}}
	where, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, p.errTok(t, "unmatched )", "remove it or add a ( before it")
		}
		return nil, p.errTok(t, fmt.Sprintf("unexpected %q", t.text), "")
	}
	p.q.Where = where
	if p.exactAll {
		setExact(where)
	}
	if err := p.q.Validate(); err != nil {
		return nil, &SyntaxError{Col: 1, Msg: err.Error()}
	}
	return p.q, nil
}

// MustParseKQL is ParseKQL for queries known to be valid (tests, constants);
// it panics on error, so never pass it user input.
func MustParseKQL(src string) *Query {
	q, err := ParseKQL(src)
	if err != nil {
		panic(fmt.Sprintf("MustParseKQL(%q): %v", src, err))
	}
	return q
}

type parser struct {
	source   string
	toks     []token
	pos      int
	q        *Query
	depth    int  // parentheses and negations around the current clause
	exactAll bool // --exact was given
	// lastGraph is the most recent graph clause; depth:, edges: and dir:
	// modify it.
	lastGraph Expr
	modified  map[Expr]map[string]bool
	options   map[string]bool
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) advance() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// errTok reports an error at token t, quoting it as written (a name
// without its colon).
func (p *parser) errTok(t token, msg, hint string) error {
	text := t.text
	if t.kind != tName && t.end > t.off {
		text = p.source[t.off:t.end]
	}
	return &SyntaxError{Col: t.col, Token: text, Msg: msg, Hint: hint}
}

func (p *parser) isWord(t token, w string) bool { return t.kind == tWord && t.text == w }

func (p *parser) parseOr() (Expr, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	list := []Expr{first}
	for t := p.peek(); t.kind == tBar || p.isWord(t, "OR"); t = p.peek() {
		p.advance()
		if first == nil {
			return nil, p.errTok(t, "OR needs a term before it", "")
		}
		next, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if next == nil {
			return nil, p.errTok(t, "OR needs a term after it", "")
		}
		list = append(list, next)
	}
	if len(list) == 1 {
		return first, nil
	}
	return &Or{list}, nil
}

func (p *parser) parseAnd() (Expr, error) {
	var list []Expr
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF || t.kind == tRParen || t.kind == tBar || p.isWord(t, "OR"):
			switch len(list) {
			case 0:
				return nil, nil
			case 1:
				return list[0], nil
			}
			return &And{list}, nil
		case p.isWord(t, "AND"):
			p.advance()
			if len(list) == 0 {
				return nil, p.errTok(t, "AND needs a term before it", "")
			}
			if n := p.peek(); n.kind == tEOF || n.kind == tRParen || n.kind == tBar || p.isWord(n, "OR") {
				return nil, p.errTok(t, "AND needs a term after it", "")
			}
			continue
		case p.isWord(t, "--exact"):
			p.advance()
			if p.depth > 0 {
				return nil, p.errTok(t, "--exact applies to the whole query", "move it out of the parentheses")
			}
			p.exactAll = true
			continue
		case t.kind == tName && optionNames[t.text]:
			if err := p.option(); err != nil {
				return nil, err
			}
			continue
		case t.kind == tName && modifierNames[t.text]:
			if err := p.modifier(); err != nil {
				return nil, err
			}
			continue
		}
		e, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
}

func (p *parser) parseUnary() (Expr, error) {
	t := p.peek()
	if t.kind != tNeg && !p.isWord(t, "NOT") {
		return p.parsePrimary()
	}
	p.advance()
	n := p.peek()
	if n.kind == tEOF || n.kind == tRParen || n.kind == tBar || p.isWord(n, "OR") || p.isWord(n, "AND") ||
		n.kind == tName && (optionNames[n.text] || modifierNames[n.text]) {
		return nil, p.errTok(t, fmt.Sprintf("%s excludes nothing", t.text), "follow it with the term or clause to exclude")
	}
	p.depth++
	defer func() { p.depth-- }()
	inner, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &Not{inner}, nil
}

func (p *parser) parsePrimary() (Expr, error) {
	t := p.advance()
	switch t.kind {
	case tLParen:
		p.depth++
		inner, err := p.parseOr()
		p.depth--
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tRParen {
			return nil, p.errTok(t, "unclosed (", "close it with )")
		}
		p.advance()
		if inner == nil {
			return nil, p.errTok(t, "empty parentheses", "put a term inside or remove them")
		}
		return inner, nil
	case tRParen:
		return nil, p.errTok(t, "unmatched )", "remove it or add a ( before it")
	case tQuoted:
		if t.text == "" {
			return nil, p.errTok(t, "empty phrase", "put words between the quotes")
		}
		return &Text{Kind: Phrase, Value: t.text}, nil
	case tRegex:
		return p.regexNode(t, t.text, t.flags)
	case tWiki:
		return nil, p.errTok(t, "a bare [[link]] is ambiguous", fmt.Sprintf("write links:[[%s]] (notes linking to it) or backlinks:[[%s]] (notes it links to)", t.text, t.text))
	case tName:
		return p.operator(t)
	case tWord:
		return p.bareWord(t)
	}
	return nil, p.errTok(t, fmt.Sprintf("unexpected %q", t.text), "")
}

func (p *parser) regexNode(t token, pattern, flags string) (Expr, error) {
	for _, f := range flags {
		if f != 'i' {
			return nil, p.errTok(t, fmt.Sprintf("unknown regex flag %q", f), `only i (ignore case) is supported; to search for text with slashes, quote it: "/usr/bin"`)
		}
	}
	if flags != "" {
		pattern = "(?i)" + pattern
	}
	n := &Text{Kind: Regex, Value: pattern}
	if pattern == "" {
		return nil, p.errTok(t, "empty regex", "")
	}
	if err := validateText(n, ""); err != nil {
		return nil, p.errTok(t, err.(*Error).Msg, err.(*Error).Hint)
	}
	return n, nil
}

func (p *parser) bareWord(t token) (Expr, error) {
	w := t.text
	switch {
	case strings.HasPrefix(w, "#"):
		tag := NormalizeTag(w)
		if tag == "" {
			return nil, p.errTok(t, "empty tag", "write the tag right after #, as in #project/kota")
		}
		return &Tag{Name: tag}, nil
	case w == "AND" || w == "NOT":
		return nil, p.errTok(t, w+" needs terms on both sides", "")
	}
	return p.textWord(t, w, "", false)
}

// textWord is a bare word as text: prefix* (a prefix), word~ or word~2
// (fuzzy), else a term.
func (p *parser) textWord(t token, w, field string, exact bool) (*Text, error) {
	if i := strings.LastIndexByte(w, '~'); i > 0 && (i == len(w)-1 || allDigits(w[i+1:])) {
		n := 1
		if i < len(w)-1 {
			n, _ = strconv.Atoi(w[i+1:])
		}
		if n < 1 || n > 2 {
			return nil, p.errTok(t, fmt.Sprintf("fuzzy distance %s out of range", w[i+1:]), "use word~1 or word~2")
		}
		return &Text{Kind: Term, Value: w[:i], Field: field, Exact: exact, Fuzzy: n}, nil
	}
	if strings.HasSuffix(w, "*") {
		if len(w) == 1 {
			return nil, p.errTok(t, "* needs a prefix", "write the start of a word before it, as in rus*")
		}
		return &Text{Kind: Prefix, Value: w[:len(w)-1], Field: field, Exact: exact}, nil
	}
	return &Text{Kind: Term, Value: w, Field: field, Exact: exact}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var (
	optionNames   = map[string]bool{"sort": true, "limit": true, "offset": true, "select": true, "group": true, "agg": true}
	modifierNames = map[string]bool{"depth": true, "edges": true, "dir": true}
	operatorNames = map[string]bool{"tag": true, "path": true, "title": true, "heading": true, "body": true,
		"exact": true, "sub": true, "re": true, "has": true, "in": true, "lang": true, "links": true,
		"backlinks": true, "near": true, "between": true, "is": true, "created": true, "updated": true}
)

// reservedName reports whether a bare name is an operator, option or
// modifier rather than a frontmatter field.
func reservedName(s string) bool { return operatorNames[s] || optionNames[s] || modifierNames[s] }

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
	case "title", "heading", "body":
		return p.textValue(name, parts, name.text, false)
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
		for _, inner := range []string{"title", "heading", "body", "sub"} {
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
