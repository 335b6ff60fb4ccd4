// Package main is a text file, not markdown: #hash and [[brackets]] mean nothing here.
package main

func main() {}
