package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/kotadb/kotadb/store"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is shown.
var version = ""

// versionCommand is `kotadb version`.
type versionCommand struct{ g *globals }

func (c *versionCommand) flags() *flag.FlagSet { return c.g.newFlagSet("version") }

type versionJSONOut struct {
	Version       string `json:"version"`
	FormatVersion int    `json:"format_version"`
	Go            string `json:"go"`
	Platform      string `json:"platform"`
}

func (c *versionCommand) Run(_ context.Context, args []string) error {
	args, err := c.g.parse("version", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("version", args, 0, 0); err != nil {
		return err
	}
	out := versionJSONOut{
		Version:       buildVersion(),
		FormatVersion: store.FormatVersion,
		Go:            runtime.Version(),
		Platform:      runtime.GOOS + "/" + runtime.GOARCH,
	}
	if c.g.json {
		return writeJSON(c.g.stdout, out)
	}
	_, err = fmt.Fprintf(c.g.stdout, "kotadb %s\nformat version %d\n%s %s\n", out.Version, out.FormatVersion, out.Go, out.Platform)
	return err
}

// buildVersion is the release version, else the module version and VCS
// revision recorded by the go command, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}
