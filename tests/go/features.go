// Examples beyond the guide: what apps put in a generateContent call, written with the SDK
// as an app would (tests/compat/test_go_sdk_features.py checks them). Each prints one JSON
// value: what the SDK read back.
//
//	tool_choice      functions chosen by meaning, parallel calls, the results sent back
//	builtin_tools    Google Search, code execution and URL context, unary and streamed
//	google_maps      Google Maps grounding with its widget
//	tools_combined   Google Search beside a function on Gemini 3, and its refusal on 2.5
//	logprobs         log probabilities on 2.0, and their refusal on 2.5
//	embeddings       documents and a question embedded, the nearest picked; a batch too large
//	caches           a cache created, read, listed page by page, extended, used and deleted
//	batches          an inline batch created, polled until done, its answers read, listed, deleted
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"strings"
	"time"

	"google.golang.org/genai"
)

func init() {
	examples["tool_choice"] = toolChoice
	examples["builtin_tools"] = builtinTools
	examples["google_maps"] = googleMaps
	examples["tools_combined"] = toolsCombined
	examples["logprobs"] = logprobs
	examples["embeddings"] = embeddings
	examples["caches"] = caches
	examples["batches"] = batches
}

// show prints v as one line of JSON.
func show(v any) {
	out, err := json.Marshal(v)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(out))
}

// failure is what an app sees of a failed call: the SDK's APIError, or any other error.
func failure(err error) map[string]any {
	if apiErr, ok := err.(genai.APIError); ok {
		return map[string]any{"code": apiErr.Code, "status": apiErr.Status, "message": apiErr.Message}
	}
	if err != nil {
		return map[string]any{"other": err.Error()}
	}
	return nil
}

// textOf is the answer's text, read from its parts: Text() would warn of the other parts (the
// calls, the code), as it does with the service's answers.
func textOf(response *genai.GenerateContentResponse) string {
	text := ""
	for _, part := range response.Candidates[0].Content.Parts {
		if !part.Thought {
			text += part.Text
		}
	}
	return text
}

func newClient(ctx context.Context) *genai.Client {
	client, err := genai.NewClient(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	return client
}

func cityFunction(name, description string) *genai.FunctionDeclaration {
	return &genai.FunctionDeclaration{
		Name:        name,
		Description: description,
		Parameters: &genai.Schema{
			Type: genai.TypeObject,
			Properties: map[string]*genai.Schema{
				"city": {Type: genai.TypeString, Description: "The city, e.g. Paris"},
			},
			Required: []string{"city"},
		},
	}
}

func toolChoice() {
	ctx := context.Background()
	client := newClient(ctx)
	config := &genai.GenerateContentConfig{Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{
		cityFunction("get_weather", "Get the current weather in a city."),
		cityFunction("get_time", "Get the current local time in a city."),
	}}}}
	turns := []map[string]any{}
	for _, prompt := range []string{
		"Do I need an umbrella in Paris?",
		"Write a haiku about the sea.",
		"What's the weather in Boston and in Paris?",
	} {
		contents := genai.Text(prompt)
		result, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", contents, config)
		if err != nil {
			log.Fatal(err)
		}
		turn := map[string]any{"prompt": prompt, "calls": result.FunctionCalls(), "text": textOf(result)}
		if calls := result.FunctionCalls(); len(calls) > 0 {
			// The app runs each function and sends the results back in the next turn
			replies := &genai.Content{Role: genai.RoleUser}
			for _, call := range calls {
				replies.Parts = append(replies.Parts, genai.NewPartFromFunctionResponse(
					call.Name, map[string]any{"report": fmt.Sprintf("sunny in %v", call.Args["city"])}))
			}
			contents = append(contents, result.Candidates[0].Content, replies)
			after, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", contents, config)
			if err != nil {
				log.Fatal(err)
			}
			turn["after"] = textOf(after)
		}
		turns = append(turns, turn)
	}
	show(turns)
}

func builtinTools() {
	ctx := context.Background()
	client := newClient(ctx)
	config := &genai.GenerateContentConfig{Tools: []*genai.Tool{
		{GoogleSearch: &genai.GoogleSearch{}},
		{CodeExecution: &genai.ToolCodeExecution{}},
		{URLContext: &genai.URLContext{}},
	}}
	prompt := genai.Text("What is 12 * (5 + 3), and what does https://example.com/guide say? Or http://localhost:9/x?")
	result, err := client.Models.GenerateContent(ctx, "gemini-3-flash-preview", prompt, config)
	if err != nil {
		log.Fatal(err)
	}
	candidate := result.Candidates[0]
	chunks := []map[string]any{}
	for chunk, err := range client.Models.GenerateContentStream(ctx, "gemini-3-flash-preview", prompt, config) {
		if err != nil {
			log.Fatal(err)
		}
		chunks = append(chunks, map[string]any{
			"text":      textOf(chunk),
			"code":      chunk.ExecutableCode(),
			"result":    chunk.CodeExecutionResult(),
			"grounding": chunk.Candidates[0].GroundingMetadata,
		})
	}
	show(map[string]any{
		"text":       textOf(result),
		"code":       result.ExecutableCode(),
		"result":     result.CodeExecutionResult(),
		"grounding":  candidate.GroundingMetadata,
		"urlContext": candidate.URLContextMetadata,
		"usage":      result.UsageMetadata,
		"chunks":     chunks,
	})
}

func googleMaps() {
	ctx := context.Background()
	client := newClient(ctx)
	config := &genai.GenerateContentConfig{
		Tools: []*genai.Tool{{GoogleMaps: &genai.GoogleMaps{EnableWidget: genai.Ptr(true)}}},
		ToolConfig: &genai.ToolConfig{RetrievalConfig: &genai.RetrievalConfig{
			LatLng: &genai.LatLng{Latitude: genai.Ptr(34.050481), Longitude: genai.Ptr(-118.248526)},
		}},
	}
	prompt := genai.Text("What are the best Italian restaurants within a 15-minute walk from here?")
	result, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", prompt, config)
	if err != nil {
		log.Fatal(err)
	}
	show(map[string]any{"text": textOf(result), "grounding": result.Candidates[0].GroundingMetadata})
}

func toolsCombined() {
	ctx := context.Background()
	client := newClient(ctx)
	config := &genai.GenerateContentConfig{
		Tools: []*genai.Tool{{
			GoogleSearch:         &genai.GoogleSearch{},
			FunctionDeclarations: []*genai.FunctionDeclaration{cityFunction("getWeather", "Gets the weather for a requested city.")},
		}},
		ToolConfig: &genai.ToolConfig{IncludeServerSideToolInvocations: genai.Ptr(true)},
	}
	contents := genai.Text("What is the weather like in Utqiagvik today?")
	first, err := client.Models.GenerateContent(ctx, "gemini-3-flash-preview", contents, config)
	if err != nil {
		log.Fatal(err)
	}
	replies := &genai.Content{Role: genai.RoleUser}
	for _, call := range first.FunctionCalls() {
		reply := genai.NewPartFromFunctionResponse(call.Name, map[string]any{"forecast": "snow, -12 °C"})
		reply.FunctionResponse.ID = call.ID
		replies.Parts = append(replies.Parts, reply)
	}
	contents = append(contents, first.Candidates[0].Content, replies)
	second, err := client.Models.GenerateContent(ctx, "gemini-3-flash-preview", contents, config)
	if err != nil {
		log.Fatal(err)
	}
	_, refused := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Weather in Oslo?"), config)
	show(map[string]any{
		"parts":   first.Candidates[0].Content.Parts,
		"calls":   first.FunctionCalls(),
		"text":    textOf(second),
		"refused": failure(refused),
	})
}

func logprobs() {
	ctx := context.Background()
	client := newClient(ctx)
	config := &genai.GenerateContentConfig{ResponseLogprobs: true, Logprobs: genai.Ptr[int32](3)}
	prompt := genai.Text("Name a primary colour.")
	result, err := client.Models.GenerateContent(ctx, "gemini-2.0-flash", prompt, config)
	if err != nil {
		log.Fatal(err)
	}
	candidate := result.Candidates[0]
	_, refused := client.Models.GenerateContent(ctx, "gemini-2.5-flash", prompt, config)
	show(map[string]any{
		"text":        textOf(result),
		"avgLogprobs": candidate.AvgLogprobs,
		"result":      candidate.LogprobsResult,
		"refused":     failure(refused),
	})
}

var documents = []string{
	"The Eiffel Tower is a wrought-iron lattice tower in Paris, France.",
	"Photosynthesis lets plants turn sunlight, water and carbon dioxide into sugar.",
	"The Great Barrier Reef off Australia is the largest coral reef system.",
	"A sourdough starter is a culture of wild yeast and lactic acid bacteria.",
	"Jupiter is the largest planet in the Solar System, a gas giant.",
}

func embeddings() {
	ctx := context.Background()
	client := newClient(ctx)
	contents := []*genai.Content{}
	for _, document := range documents {
		contents = append(contents, genai.NewContentFromText(document, genai.RoleUser))
	}
	config := &genai.EmbedContentConfig{TaskType: "RETRIEVAL_DOCUMENT", OutputDimensionality: genai.Ptr[int32](768)}
	stored, err := client.Models.EmbedContent(ctx, "gemini-embedding-001", contents, config)
	if err != nil {
		log.Fatal(err)
	}
	question := genai.Text("Which planet is the biggest gas giant?")
	asked, err := client.Models.EmbedContent(ctx, "gemini-embedding-001", question,
		&genai.EmbedContentConfig{TaskType: "RETRIEVAL_QUERY", OutputDimensionality: genai.Ptr[int32](768)})
	if err != nil {
		log.Fatal(err)
	}
	nearest, best := -1, -2.0
	for i, embedding := range stored.Embeddings {
		if score := cosine(embedding.Values, asked.Embeddings[0].Values); score > best {
			nearest, best = i, score
		}
	}
	tooMany := []*genai.Content{}
	for i := 0; i < 101; i++ {
		tooMany = append(tooMany, genai.NewContentFromText(fmt.Sprintf("text %d", i), genai.RoleUser))
	}
	_, refused := client.Models.EmbedContent(ctx, "gemini-embedding-001", tooMany, nil)
	show(map[string]any{
		"count":      len(stored.Embeddings),
		"dimensions": len(stored.Embeddings[0].Values),
		"nearest":    nearest,
		"refused":    failure(refused),
	})
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func caches() {
	ctx := context.Background()
	client := newClient(ctx)
	manual := strings.Repeat("The pump must be primed before the first start. ", 160)
	created := []*genai.CachedContent{}
	for i := 0; i < 3; i++ {
		cache, err := client.Caches.Create(ctx, "gemini-2.5-flash", &genai.CreateCachedContentConfig{
			DisplayName:       fmt.Sprintf("manual %d", i),
			Contents:          genai.Text(manual),
			SystemInstruction: genai.NewContentFromText("Answer from the manual.", genai.RoleUser),
			TTL:               300 * time.Second,
		})
		if err != nil {
			log.Fatal(err)
		}
		created = append(created, cache)
	}
	cache := created[0]
	got, err := client.Caches.Get(ctx, cache.Name, nil)
	if err != nil {
		log.Fatal(err)
	}
	listed := []string{}
	page, err := client.Caches.List(ctx, &genai.ListCachedContentsConfig{PageSize: 2})
	for err == nil {
		for _, item := range page.Items {
			listed = append(listed, item.Name)
		}
		page, err = page.Next(ctx)
	}
	if err != genai.ErrPageDone {
		log.Fatal(err)
	}
	updated, err := client.Caches.Update(ctx, cache.Name, &genai.UpdateCachedContentConfig{TTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	answer, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("What comes before the first start?"),
		&genai.GenerateContentConfig{CachedContent: cache.Name})
	if err != nil {
		log.Fatal(err)
	}
	for _, each := range created {
		if _, err := client.Caches.Delete(ctx, each.Name, nil); err != nil {
			log.Fatal(err)
		}
	}
	_, gone := client.Caches.Get(ctx, cache.Name, nil)
	show(map[string]any{
		"created":  created,
		"got":      got,
		"listed":   listed,
		"extended": updated.ExpireTime.Sub(cache.ExpireTime).Seconds(),
		"usage":    answer.UsageMetadata,
		"gone":     failure(gone),
	})
}

func batches() {
	ctx := context.Background()
	client := newClient(ctx)
	requests := []*genai.InlinedRequest{}
	for _, prompt := range []string{"Name a primary colour.", "Say hello in French."} {
		requests = append(requests, &genai.InlinedRequest{Contents: genai.Text(prompt), Metadata: map[string]string{"prompt": prompt}})
	}
	job, err := client.Batches.Create(ctx, "gemini-2.5-flash", &genai.BatchJobSource{InlinedRequests: requests},
		&genai.CreateBatchJobConfig{DisplayName: "colours and greetings"})
	if err != nil {
		log.Fatal(err)
	}
	states := []genai.JobState{job.State}
	for polls := 0; job.State != genai.JobStateSucceeded && polls < 200; polls++ {
		time.Sleep(20 * time.Millisecond)
		if job, err = client.Batches.Get(ctx, job.Name, nil); err != nil {
			log.Fatal(err)
		}
		states = append(states, job.State)
	}
	answers := []map[string]any{}
	for _, inlined := range job.Dest.InlinedResponses {
		answers = append(answers, map[string]any{"metadata": inlined.Metadata, "text": textOf(inlined.Response)})
	}
	listed := []string{}
	for item, err := range client.Batches.All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		listed = append(listed, item.Name)
	}
	if _, err := client.Batches.Delete(ctx, job.Name, nil); err != nil {
		log.Fatal(err)
	}
	_, gone := client.Batches.Get(ctx, job.Name, nil)
	show(map[string]any{
		"name":    job.Name,
		"display": job.DisplayName,
		"states":  states,
		"answers": answers,
		"listed":  listed,
		"gone":    failure(gone),
	})
}
