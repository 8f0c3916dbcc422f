// Command guide runs the Gemini API guide's Go examples with the official SDK
// (google.golang.org/genai) and prints one JSON line per example to stdout:
//
//	guide <example-name> [more names...]
//
// This directory holds only the driver: the examples are the guide's text, held
// verbatim in tests/kit/go_guide.py, which writes each one into a file of its own
// beside a copy of this one (its func main renamed) and builds them together; each
// file adds its example to `examples` from an init function. tests/go/README.md
// says what is changed in them and why.
//
// The client is built as in the guide, genai.NewClient(ctx, nil): the SDK reads
// GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL itself. The examples read their files
// from GUIDE_ASSETS (the guide's "path/to/..."); the one that downloads an image
// gets it from a loopback server over that folder.
//
// Output per example, in argument order:
//
//	{"example": name, "ok": true, "output": what it printed, "logged": what the SDK logged,
//	 "exchanges": [{"method", "path", "query", "status", "contentType", "requestHeaders", "body"}]}
//
// "ok" is false, with "error", when the example panicked (e.g. result.Text() on the nil
// result of a failed call: the guide's examples ignore the errors). "exchanges" are the
// HTTP requests the SDK made and the bodies it read, in order. The exit code is 2 for an
// unknown or missing example name.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// examples maps each example's name to the guide's func main, renamed.
var examples = map[string]func(){}

var assets *httptest.Server

// asset is the path of one of the test's files, for the guide's "path/to/<name>".
func asset(name string) string {
	return filepath.Join(os.Getenv("GUIDE_ASSETS"), name)
}

// assetURL is a loopback URL of one of the test's files, for the guide's image URL.
func assetURL(name string) string {
	return assets.URL + "/" + name
}

type exchange struct {
	Method         string            `json:"method"`
	Path           string            `json:"path"`
	Query          string            `json:"query"`
	Status         int               `json:"status"`
	ContentType    string            `json:"contentType"`
	RequestHeaders map[string]string `json:"requestHeaders"`
	Body           string            `json:"body"`
	body           *bytes.Buffer
}

// recorder is the SDK's transport (it uses http.DefaultTransport): it keeps each request
// it passes on and a copy of the response body as the SDK reads it.
type recorder struct {
	next      http.RoundTripper
	mu        sync.Mutex
	exchanges []*exchange
}

type teeBody struct {
	io.Reader
	io.Closer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil || (assets != nil && req.URL.Host == strings.TrimPrefix(assets.URL, "http://")) {
		return resp, err
	}
	headers := map[string]string{}
	for name := range req.Header {
		if name = strings.ToLower(name); name != "x-goog-api-key" {
			headers[name] = req.Header.Get(name)
		}
	}
	ex := &exchange{
		Method:         req.Method,
		Path:           req.URL.Path,
		Query:          req.URL.RawQuery,
		Status:         resp.StatusCode,
		ContentType:    resp.Header.Get("Content-Type"),
		RequestHeaders: headers,
		body:           &bytes.Buffer{},
	}
	resp.Body = teeBody{io.TeeReader(resp.Body, ex.body), resp.Body}
	r.mu.Lock()
	r.exchanges = append(r.exchanges, ex)
	r.mu.Unlock()
	return resp, nil
}

// taken hands over the exchanges recorded so far and starts a new list.
func (r *recorder) taken() []*exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	taken := r.exchanges
	r.exchanges = nil
	for _, ex := range taken {
		ex.Body = ex.body.String()
	}
	if taken == nil {
		taken = []*exchange{}
	}
	return taken
}

type result struct {
	Example   string      `json:"example"`
	OK        bool        `json:"ok"`
	Output    string      `json:"output"`
	Logged    string      `json:"logged"`
	Error     string      `json:"error,omitempty"`
	Exchanges []*exchange `json:"exchanges"`
}

// run calls one example with os.Stdout and the log captured.
func run(name string, example func(), wire *recorder) result {
	out := result{Example: name, OK: true}
	read, write, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	printed := make(chan []byte)
	go func() {
		data, _ := io.ReadAll(read)
		printed <- data
	}()
	var logged bytes.Buffer
	// What the SDK logs (its warnings) is kept; log.Fatal still says why on stderr.
	log.SetOutput(io.MultiWriter(&logged, os.Stderr))
	stdout := os.Stdout
	os.Stdout = write
	func() {
		defer func() {
			if p := recover(); p != nil {
				out.OK, out.Error = false, fmt.Sprint(p)
			}
		}()
		example()
	}()
	os.Stdout = stdout
	write.Close()
	out.Output = string(<-printed)
	read.Close()
	out.Logged = logged.String()
	out.Exchanges = wire.taken()
	return out
}

func main() {
	names := os.Args[1:]
	if len(names) == 0 {
		fmt.Fprintln(os.Stderr, "usage: guide <example-name>...")
		os.Exit(2)
	}
	for _, name := range names {
		if examples[name] == nil {
			fmt.Fprintf(os.Stderr, "unknown example %q\n", name)
			os.Exit(2)
		}
	}
	wire := &recorder{next: http.DefaultTransport}
	http.DefaultTransport = wire
	assets = httptest.NewServer(http.FileServer(http.Dir(os.Getenv("GUIDE_ASSETS"))))
	defer assets.Close()
	lines := json.NewEncoder(os.Stdout)
	for _, name := range names {
		if err := lines.Encode(run(name, examples[name], wire)); err != nil {
			panic(err)
		}
	}
}
