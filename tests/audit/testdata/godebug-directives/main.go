//go:debug panicnil=1
package main

func main() {}
