package query

import (
	"fmt"
	"strconv"
	"strings"
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
// Operators: tag: path: title: heading: (or headings:) body: exact: sub: re: has: in:
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
	operatorNames = map[string]bool{"tag": true, "path": true, "title": true, "heading": true, "headings": true, "body": true,
		"exact": true, "sub": true, "re": true, "has": true, "in": true, "lang": true, "links": true,
		"backlinks": true, "near": true, "between": true, "is": true, "created": true, "updated": true}
)

// reservedName reports whether a bare name is an operator, option or
// modifier rather than a frontmatter field.
func reservedName(s string) bool { return operatorNames[s] || optionNames[s] || modifierNames[s] }
