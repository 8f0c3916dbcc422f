module gemini-ref/conformance/examples/go_port

go 1.26.0
