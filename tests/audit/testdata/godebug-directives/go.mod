module example.com/legacy

go 1.26

godebug (
	x509negativeserial=1
	http2client=0
)
