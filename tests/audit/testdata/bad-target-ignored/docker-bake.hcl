target "app" {
  platforms = ["linux/amd64", "linux/arm64"]
}
