package main

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// utf8Decoder is the WHATWG Encoding standard's UTF-8 decoder, a byte at a time, so a
// character cut between two reads still decodes: each invalid sequence becomes one U+FFFD.
type utf8Decoder struct {
	codePoint, needed, seen int
	lower, upper            byte
}

// push takes one byte and returns the characters it completes (none, one, or two when a
// byte ends an invalid sequence and starts the next).
func (d *utf8Decoder) push(b byte) []rune {
	if d.needed == 0 {
		d.lower, d.upper = 0x80, 0xBF
		switch {
		case b <= 0x7F:
			return []rune{rune(b)}
		case b >= 0xC2 && b <= 0xDF:
			d.needed, d.codePoint = 1, int(b&0x1F)
		case b >= 0xE0 && b <= 0xEF:
			if b == 0xE0 {
				d.lower = 0xA0
			} else if b == 0xED {
				d.upper = 0x9F
			}
			d.needed, d.codePoint = 2, int(b&0xF)
		case b >= 0xF0 && b <= 0xF4:
			if b == 0xF0 {
				d.lower = 0x90
			} else if b == 0xF4 {
				d.upper = 0x8F
			}
			d.needed, d.codePoint = 3, int(b&0x7)
		default:
			return []rune{utf8.RuneError}
		}
		return nil
	}
	if b < d.lower || b > d.upper {
		d.codePoint, d.needed, d.seen = 0, 0, 0
		return append([]rune{utf8.RuneError}, d.push(b)...) // the byte starts anew
	}
	d.lower, d.upper = 0x80, 0xBF
	d.codePoint = d.codePoint<<6 | int(b&0x3F)
	if d.seen++; d.seen != d.needed {
		return nil
	}
	r := rune(d.codePoint)
	d.codePoint, d.needed, d.seen = 0, 0, 0
	return []rune{r}
}

// end is the end of the stream: a character still incomplete is one U+FFFD.
func (d *utf8Decoder) end() []rune {
	if d.needed == 0 {
		return nil
	}
	d.codePoint, d.needed, d.seen = 0, 0, 0
	return []rune{utf8.RuneError}
}

type event struct {
	Data  string `json:"data"`
	Event string `json:"event"`
	ID    string `json:"id"`
}

// sseDecoder follows "Interpreting an event stream" (WHATWG HTML), one character at a time.
type sseDecoder struct {
	text        utf8Decoder
	events      []event
	lastEventID string
	retry       *int
	line        strings.Builder
	started     bool // a BOM is skipped only as the very first character
	afterCR     bool // a LF right after a CR ends no second line
	data, kind  string
	id          string
	pending     bool // a field line came since the last blank line
}

func (d *sseDecoder) feed(chunk []byte) {
	for _, b := range chunk {
		for _, r := range d.text.push(b) {
			d.char(r)
		}
	}
}

func (d *sseDecoder) char(r rune) {
	if !d.started {
		d.started = true
		if r == '\uFEFF' {
			return
		}
	}
	if d.afterCR && r == '\n' {
		d.afterCR = false
		return
	}
	d.afterCR = r == '\r'
	if r == '\r' || r == '\n' {
		d.endLine(d.line.String())
		d.line.Reset()
		return
	}
	d.line.WriteRune(r)
}

// close ends the stream; it reports whether the stream ended inside an event.
func (d *sseDecoder) close() bool {
	for _, r := range d.text.end() {
		d.char(r)
	}
	return d.pending || d.line.Len() > 0
}

func (d *sseDecoder) endLine(line string) {
	switch {
	case line == "":
		d.dispatch()
	case strings.HasPrefix(line, ":"): // a comment
	default:
		d.pending = true
		name, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		d.field(name, value)
	}
}

func (d *sseDecoder) field(name, value string) {
	switch name {
	case "data":
		d.data += value + "\n"
	case "event":
		d.kind = value
	case "id":
		if !strings.ContainsRune(value, 0) {
			d.id = value
		}
	case "retry":
		if value != "" && strings.Trim(value, "0123456789") == "" {
			var ms int
			fmt.Sscan(value, &ms)
			d.retry = &ms
		}
	}
}

func (d *sseDecoder) dispatch() {
	d.lastEventID = d.id
	d.pending = false
	if d.data == "" {
		d.kind = ""
		return
	}
	kind := d.kind
	if kind == "" {
		kind = "message"
	}
	d.events = append(d.events, event{strings.TrimSuffix(d.data, "\n"), kind, d.id})
	d.data, d.kind = "", ""
}

func streamOf(c map[string]any) []byte {
	if encoded, ok := c["input_base64"].(string); ok {
		data, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			panic(err)
		}
		return data
	}
	return []byte(c["input"].(string))
}

func decodeEvents(pieces [][]byte) map[string]any {
	d := &sseDecoder{events: []event{}}
	for _, piece := range pieces {
		d.feed(piece)
	}
	incomplete := d.close()
	var retry any
	if d.retry != nil {
		retry = *d.retry
	}
	return map[string]any{
		"events": d.events, "incomplete": incomplete,
		"last_event_id": d.lastEventID, "retry": retry,
	}
}

// splittings: the stream whole, cut at the case's splits, and one byte at a time.
func splittings(data []byte, splits []any) map[string][][]byte {
	cuts := []int{0}
	for _, s := range splits {
		n, _ := integer(s)
		cuts = append(cuts, int(n))
	}
	cuts = append(cuts, len(data))
	var atSplits, bytes [][]byte
	for i := 1; i < len(cuts); i++ {
		atSplits = append(atSplits, data[cuts[i-1]:cuts[i]])
	}
	for i := range data {
		bytes = append(bytes, data[i:i+1])
	}
	return map[string][][]byte{"whole": {data}, "at the splits": atSplits, "byte by byte": bytes}
}

func checkEvents(c map[string]any) []string {
	expected := map[string]any{
		"events": c["events"], "incomplete": c["incomplete"],
		"last_event_id": c["last_event_id"], "retry": c["retry"],
	}
	splits, _ := c["splits"].([]any)
	var problems []string
	for _, how := range []string{"whole", "at the splits", "byte by byte"} {
		got := decodeEvents(splittings(streamOf(c), splits)[how])
		if !same(got, expected) {
			problems = append(problems, fmt.Sprintf("fed %s: got %s, expected %s", how, show(got), show(expected)))
		}
	}
	return problems
}

// readChunks reads a Gemini stream (alt=sse) as a client does: each event's data is a JSON
// chunk, an {"error": {...}} event with an integer code ends it with that error.
func readChunks(stream []byte) map[string]any {
	d := &sseDecoder{}
	d.feed(stream)
	incomplete := d.close()
	chunks := []any{}
	for _, e := range d.events {
		var data any
		if strictJSON(e.Data, &data) != nil {
			return map[string]any{"chunks": chunks, "end": "malformed"}
		}
		if object, ok := data.(map[string]any); ok {
			if apiError, ok := object["error"]; ok {
				fields, _ := apiError.(map[string]any)
				if _, ok := integer(fields["code"]); !ok {
					return map[string]any{"chunks": chunks, "end": "malformed"}
				}
				return map[string]any{"chunks": chunks, "end": "error", "error": apiError}
			}
		}
		chunks = append(chunks, data)
	}
	end := "complete"
	if incomplete {
		end = "interrupted"
	}
	return map[string]any{"chunks": chunks, "end": end}
}

func checkChunks(c map[string]any) []string {
	expected := map[string]any{"chunks": c["chunks"], "end": c["end"]}
	if apiError, ok := c["error"]; ok {
		expected["error"] = apiError
	}
	if got := readChunks(streamOf(c)); !same(got, expected) {
		return []string{fmt.Sprintf("got %s, expected %s", show(got), show(expected))}
	}
	return nil
}

func checkArray(c map[string]any) []string {
	var got any
	if err := strictJSON(string(streamOf(c)), &got); err != nil {
		return []string{err.Error()}
	}
	if !same(got, c["elements"]) {
		return []string{fmt.Sprintf("got %s, expected %s", show(got), show(c["elements"]))}
	}
	return nil
}
