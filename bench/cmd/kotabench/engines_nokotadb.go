//go:build !kotadb

package main

// kotadbMissing explains how to get the kotadb engine.
const kotadbMissing = "rebuild with -tags kotadb (the adapter in engine/kotadbeng needs the root kotadb search API to compile)"
