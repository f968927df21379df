FROM golang:1.26-trixie AS build
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /out/app .
FROM ubuntu:20.04
COPY --from=build /out/app /usr/local/bin/app
