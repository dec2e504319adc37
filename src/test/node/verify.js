// Reads {"secret", "headers", "body"} as JSON on stdin and verifies the signature with the
// standardwebhooks package (an implementation of the specification independent of Punctual's).
// Exit 0 when it verifies, 1 with the reason otherwise.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { secret, headers, body } = JSON.parse(input);
  try {
    new Webhook(secret).verify(body, headers);
    console.log("verified");
  } catch (e) {
    console.log("rejected: " + e.message);
    process.exit(1);
  }
});
