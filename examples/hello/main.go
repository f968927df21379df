// Command hello is gocross's quick-start module: pure Go for most targets, with a small C
// function on the targets the config builds with cgo (linux/arm64 in gocross.yml).
package main

import (
	"fmt"
	"os"
	"runtime"

	"example.com/hello/internal/native"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("hello 1.0")
		return
	}
	fmt.Printf("hello from %s/%s; %s\n", runtime.GOOS, runtime.GOARCH, native.Describe())
}
