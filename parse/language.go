package parse

import (
	"path"
	"strings"
)

// languages maps a lower-cased file extension (with its dot) to a language
// name. Names follow the usual code-fence names so that a search filter like
// lang:python means the same thing for files and fenced code.
var languages = map[string]string{
	".md": "markdown", ".markdown": "markdown", ".mdx": "markdown",
	".go": "go",
	".py": "python", ".pyi": "python", ".pyw": "python",
	".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
	".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
	".rs":   "rust",
	".java": "java",
	".kt":   "kotlin", ".kts": "kotlin",
	".scala": "scala",
	".swift": "swift",
	".c":     "c", ".h": "c",
	".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp",
	".cs":  "csharp",
	".m":   "objective-c",
	".rb":  "ruby",
	".php": "php",
	".pl":  "perl", ".pm": "perl",
	".lua":  "lua",
	".r":    "r",
	".jl":   "julia",
	".dart": "dart",
	".ex":   "elixir", ".exs": "elixir",
	".erl": "erlang", ".hrl": "erlang",
	".hs": "haskell",
	".ml": "ocaml", ".mli": "ocaml",
	".clj": "clojure", ".cljs": "clojure", ".edn": "clojure",
	".zig": "zig",
	".nim": "nim",
	".sh":  "shell", ".bash": "shell", ".zsh": "shell", ".ksh": "shell", ".fish": "fish",
	".ps1": "powershell", ".psm1": "powershell",
	".bat": "batch", ".cmd": "batch",
	".json": "json", ".jsonc": "json", ".json5": "json", ".ndjson": "json", ".jsonl": "json",
	".yaml": "yaml", ".yml": "yaml",
	".toml": "toml",
	".ini":  "ini", ".cfg": "ini", ".conf": "ini",
	".xml": "xml", ".xsd": "xml", ".svg": "xml",
	".html": "html", ".htm": "html", ".xhtml": "html",
	".css": "css", ".scss": "scss", ".sass": "sass", ".less": "less",
	".vue":     "vue",
	".svelte":  "svelte",
	".sql":     "sql",
	".graphql": "graphql", ".gql": "graphql",
	".proto": "protobuf",
	".tf":    "terraform", ".hcl": "hcl",
	".tex":  "latex",
	".rst":  "rst",
	".adoc": "asciidoc",
	".org":  "org",
	".csv":  "csv", ".tsv": "tsv",
	".diff": "diff", ".patch": "diff",
	".mk":    "make",
	".cmake": "cmake",
	".txt":   "text",
}

// languagesByName covers files known by their whole name, not an extension.
var languagesByName = map[string]string{
	"makefile": "make", "gnumakefile": "make",
	"dockerfile": "dockerfile", "containerfile": "dockerfile",
	"cmakelists.txt": "cmake",
	"gemfile":        "ruby", "rakefile": "ruby",
	"justfile": "just",
}

// Language returns the language of a file from its name: "markdown", "go",
// "python", "javascript", "typescript", "rust", "java", "c", "cpp",
// "shell", "json", "yaml", "toml", "html", "css", "sql"… and "text" for
// .txt and anything it does not know.
func Language(p string) string {
	base := strings.ToLower(path.Base(strings.ReplaceAll(p, `\`, "/")))
	if lang, ok := languagesByName[base]; ok {
		return lang
	}
	if strings.HasPrefix(base, "dockerfile.") {
		return "dockerfile"
	}
	if lang, ok := languages[path.Ext(base)]; ok {
		return lang
	}
	return "text"
}

// IsMarkdown reports whether the file is markdown by its extension (.md,
// .markdown, .mdx; any case).
func IsMarkdown(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".markdown", ".mdx":
		return true
	}
	return false
}
