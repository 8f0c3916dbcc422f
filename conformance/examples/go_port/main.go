// Command go_port checks a Go port of the client's stream and vision rules against the
// language-neutral vectors in conformance/vectors, as a port to Go would: standard library
// only, nothing from this repository but the JSON files.
//
//	go run . [path/to/conformance/vectors] [-v]
//
// It runs every case of sse_decoding.json (events, fed whole, at the case's splits and one
// byte at a time; Gemini chunks; JSON arrays), box_math.json, mask_math.json and
// image_tokens.json, prints "pass" or "FAIL" per case and a last line
// "N of M vectors pass", and exits with status 1 if any failed.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// A check runs one case and returns what is wrong with the result (nothing when it passes).
type check func(c map[string]any) []string

type section struct {
	file, name string
	check      check
}

var sections = []section{
	{"sse_decoding.json", "events", checkEvents},
	{"sse_decoding.json", "chunks", checkChunks},
	{"sse_decoding.json", "arrays", checkArray},
	{"box_math.json", "to_pixels", checkToPixels},
	{"box_math.json", "to_normalized", checkToNormalized},
	{"box_math.json", "boxes_from_response", checkBoxesFromResponse},
	{"mask_math.json", "binarize", checkBinarize},
	{"mask_math.json", "decode_mask", checkDecodeMask},
	{"image_tokens.json", "cases", checkImageTokens},
}

// load reads a vector file, its numbers kept exact (json.Number, read as rationals where a
// rule needs it). The header (format, description, pins) is skipped: each section is read by
// name.
func load(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var document map[string]any
	return document, strictJSON(string(data), &document)
}

func strictJSON(text string, into any) error {
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.UseNumber()
	if err := decoder.Decode(into); err != nil {
		return err
	}
	if decoder.More() {
		return fmt.Errorf("text after the JSON value")
	}
	return nil
}

// same compares two JSON values by what they mean (1 and 1.0 are one number).
func same(got, expected any) bool {
	return reflect.DeepEqual(plain(got), plain(expected))
}

func plain(value any) any {
	data, err := json.Marshal(value)
	if err != nil {
		return fmt.Sprintf("unencodable %#v", value)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return fmt.Sprintf("undecodable %s", data)
	}
	return out
}

func show(value any) string {
	data, _ := json.Marshal(value)
	return string(data)
}

func main() {
	verbose := false
	directory := filepath.Join("..", "..", "vectors")
	for _, arg := range os.Args[1:] {
		if arg == "-v" {
			verbose = true
		} else {
			directory = arg
		}
	}
	failed, total := 0, 0
	for _, s := range sections {
		document, err := load(filepath.Join(directory, s.file))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cases, _ := document[s.name].([]any)
		if len(cases) == 0 {
			fmt.Fprintf(os.Stderr, "%s has no %s cases\n", s.file, s.name)
			os.Exit(2)
		}
		for index, item := range cases {
			c := item.(map[string]any)
			total++
			problems := s.check(c)
			name, ok := c["name"].(string)
			if !ok {
				name = fmt.Sprint(index)
			}
			status := "pass"
			if len(problems) > 0 {
				failed++
				status = "FAIL"
			}
			fmt.Printf("%s  %s/%s/%s\n", status, strings.TrimSuffix(s.file, ".json"), s.name, name)
			if !verbose && len(problems) > 1 {
				problems = problems[:1]
			}
			for _, problem := range problems {
				fmt.Printf("      %s\n", problem)
			}
		}
	}
	fmt.Printf("%d of %d vectors pass\n", total-failed, total)
	if failed > 0 {
		os.Exit(1)
	}
}
