// The form parser on arbitrary bytes: percent-decoding (httpd/query.h) and
// the controller's Form, ParseFormId and ParseFormInt (web/router.h). The
// input is a query string, a newline, then an urlencoded body. Refusals must
// be BadInput or a 400 HttpError (any other exception is a finding), and
// nothing decoded holds a NUL byte.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "httpd/query.h"
#include "web/router.h"

namespace {

using cbit::httpd::BadInput;
using cbit::httpd::Decode;
using cbit::httpd::Params;
using cbit::httpd::ParseQuery;
using cbit::web::HttpError;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

std::string PercentEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// Decode refuses exactly the inputs that hold a NUL byte or the escape %00
// (no escape can swallow the '%' of a later one: '%' is not a hex digit);
// what it accepts has no NUL, is no longer than the input, is the input
// itself when there is nothing to decode, and survives a full re-encoding.
void CheckDecode(std::string_view text, bool plus) {
  const bool refusable = HasNul(text) || text.find("%00") != std::string_view::npos;
  std::string out;
  try {
    out = Decode(text, plus, "the input");
  } catch (const BadInput&) {
    Check(refusable);
    return;
  }
  Check(!refusable && !HasNul(out) && out.size() <= text.size());
  if (text.find('%') == std::string_view::npos &&
      (!plus || text.find('+') == std::string_view::npos))
    Check(out == text);
  Check(Decode(PercentEncode(out), plus, "the input") == out);
}

// What a handler does with a form: every field is found where the form says,
// and every number goes through the one parser. Refusals are exceptions,
// costly here: ParseDecimal answers for every value, the throwing parsers
// run on the first value only.
void UseForm(const cbit::web::Request& req, const Params& body) {
  cbit::web::Form form(req);
  std::vector<std::string> missing;
  const std::string* first = nullptr;
  for (const Params* fields : {&body, &req.params}) {
    for (const auto& [key, value] : *fields) {
      Check(!HasNul(key) && !HasNul(value) && form.Has(key));
      const std::string got = form.Get(key);
      Check(body.count(key) ? got == body.find(key)->second : got == req.get_param_value(key));
      auto n = cbit::web::ParseDecimal(got);
      Check(!n || (*n >= 0 && !got.empty() && got.find_first_not_of("0123456789") == got.npos));
      if (!first) first = &key;
    }
  }
  if (!first) return;
  const std::string value = form.Get(*first);
  try {
    Check(cbit::web::ParseFormInt(*first, value) == cbit::web::ParseDecimal(value));
    Check(cbit::web::ParseFormId(*first, value) > 0);
  } catch (const HttpError& e) {
    Check(e.status == 400);
  }
  form.RequireId(*first, missing);
  cbit::web::Form::Check(missing);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckDecode(input, true);
  CheckDecode(input, false);
  const std::size_t nl = input.find('\n');
  const std::string_view query = input.substr(0, nl);
  cbit::web::Request req;
  req.headers.emplace("Content-Type", "application/x-www-form-urlencoded");
  if (nl != std::string_view::npos) req.body = std::string(input.substr(nl + 1));
  Params body;
  try {
    ParseQuery(query, req.params, "the query");
    ParseQuery(req.body, body, "the form");
    UseForm(req, body);
  } catch (const BadInput&) {
  } catch (const HttpError& e) {
    Check(e.status == 400);
  }
  return 0;
}
