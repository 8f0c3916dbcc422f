// Not from the guide: the parts of UrlFetchApp the guide's examples lean on without showing,
// each logged for tests/compat/test_apps_script.py to compare with the fake's journal.
const apiKey = PropertiesService.getScriptProperties().getProperty('GEMINI_API_KEY');
const base = 'https://generativelanguage.googleapis.com/v1beta/models/';

function main() {
  // A failure, muted: the response comes back instead of an exception.
  const missing = UrlFetchApp.fetch(base + 'gemini-nope:generateContent', {
    method: 'post',
    contentType: 'application/json',
    headers: { 'x-goog-api-key': apiKey },
    payload: JSON.stringify({ contents: [{ parts: [{ text: 'Hi' }] }] }),
    muteHttpExceptions: true,
  });
  Logger.log('code %s', missing.getResponseCode());
  const headers = missing.getHeaders(); // names as received: the fake's are lower case
  const typeName = Object.keys(headers).find((name) => /^content-type$/i.test(name));
  Logger.log(headers[typeName]);
  Logger.log(JSON.parse(missing.getContentText()).error.status);

  // The defaults: GET, no body; the response reads as its text.
  const model = UrlFetchApp.fetch(base + 'gemini-2.5-flash', {
    headers: { 'x-goog-api-key': apiKey },
  });
  Logger.log(JSON.parse(model).name);

  // An object payload is a form, whatever the service makes of it.
  const form = UrlFetchApp.fetch(base + 'gemini-2.5-flash:countTokens', {
    method: 'post',
    headers: { 'x-goog-api-key': apiKey },
    payload: { text: 'two words' },
    muteHttpExceptions: true,
  });
  Logger.log('form %s', form.getResponseCode());

  // The placeholder image: its bytes as Apps Script gives them (signed), and their base64.
  const blob = UrlFetchApp.fetch('http://image/url').getBlob();
  const bytes = blob.getBytes();
  Logger.log(blob.getContentType());
  Logger.log('%s bytes, from %s to %s', bytes.length, Math.min(...bytes), Math.max(...bytes));
  Logger.log(Utilities.base64Encode(bytes));
  Logger.log(Utilities.base64Encode('Grüße'));

  // A host that does not answer: the exception Apps Script throws.
  try {
    UrlFetchApp.fetch('https://unreachable.example/');
  } catch (e) {
    Logger.log('%s: %s', e.name, e.message);
  }

  // A host with no route gets no request.
  UrlFetchApp.fetch('https://example.com/');
}
