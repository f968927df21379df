target "app" {
  dockerfile = "docker/app.Dockerfile"
}
