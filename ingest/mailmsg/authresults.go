package mailmsg

import (
	"strings"

	"github.com/emersion/go-message"
)

// authenticated says what proved the sender of a message with header h
// and From address from, by the receiving server's Authentication-Results
// (RFC 8601): "dmarc=pass (mx.example.org)", or SPF or DKIM passing for
// the From domain; "" when nothing did. Only the topmost field whose
// authserv-id is one of trusted counts: the receiving server adds its own
// on top, and removes any that claims its id (RFC 8601, 5). Fields from
// other ids are anyone's to write, and ignored.
func authenticated(h message.Header, trusted []string, from string) string {
	_, domain, ok := strings.Cut(from, "@")
	if !ok || len(trusted) == 0 {
		return ""
	}
	domain = strings.ToLower(domain)
	for _, v := range h.Values("Authentication-Results") {
		id, results := parseAuthResults(v)
		if !trustedID(id, trusted) {
			continue
		}
		proved := map[string]bool{}
		for _, r := range results {
			if r.result != "pass" {
				continue
			}
			switch r.method {
			case "dmarc":
				hf := r.props["header.from"]
				proved["dmarc"] = proved["dmarc"] || hf == "" || aligned(hf, domain)
			case "spf":
				proved["spf"] = proved["spf"] || aligned(addressDomain(r.props["smtp.mailfrom"]), domain)
			case "dkim":
				proved["dkim"] = proved["dkim"] || aligned(r.props["header.d"], domain) || aligned(addressDomain(r.props["header.i"]), domain)
			}
		}
		for _, method := range []string{"dmarc", "dkim", "spf"} {
			if proved[method] {
				return method + "=pass (" + id + ")"
			}
		}
		return "" // the topmost trusted field decides
	}
	return ""
}

// trustedID says whether id is among trusted, ignoring case.
func trustedID(id string, trusted []string) bool {
	for _, t := range trusted {
		if strings.EqualFold(id, t) {
			return true
		}
	}
	return false
}

// addressDomain returns the domain of "user@domain", or "@domain", or the
// value itself when it has no @.
func addressDomain(v string) string {
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// aligned says whether domain d is the From domain from, or its parent or
// child (relaxed alignment, RFC 7489, 3.1, without the public suffix
// list: a parent must hold a dot).
func aligned(d, from string) bool {
	d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
	switch {
	case d == "" || !strings.Contains(d, "."):
		return false
	case d == from:
		return true
	}
	return strings.HasSuffix(from, "."+d) || strings.HasSuffix(d, "."+from)
}

// authResult is one method's result in an Authentication-Results field.
type authResult struct {
	method, result string
	props          map[string]string // ptype.property -> value: "smtp.mailfrom"
}

// maxAuthResults bounds how many results of one field are read.
const maxAuthResults = 32

// parseAuthResults reads an Authentication-Results value (RFC 8601, 2.2):
// the authserv-id, then "method=result ptype.property=value ..." results
// separated by semicolons; comments in parentheses are dropped.
func parseAuthResults(v string) (id string, results []authResult) {
	v = dropComments(v)
	parts := strings.Split(v, ";")
	head := strings.Fields(parts[0])
	if len(head) == 0 {
		return "", nil
	}
	id = strings.ToLower(head[0])
	for _, p := range parts[1:] {
		f := strings.Fields(p)
		if len(f) == 0 || len(results) == maxAuthResults {
			continue
		}
		method, result, ok := strings.Cut(f[0], "=")
		if !ok {
			continue
		}
		method, _, _ = strings.Cut(method, "/") // a method version
		r := authResult{method: strings.ToLower(method), result: strings.ToLower(strings.Trim(result, `"`)), props: map[string]string{}}
		for _, kv := range f[1:] {
			if k, val, ok := strings.Cut(kv, "="); ok && strings.Contains(k, ".") {
				r.props[strings.ToLower(k)] = strings.Trim(val, `"`)
			}
		}
		results = append(results, r)
	}
	return id, results
}

// dropComments removes RFC 5322 comments, nested or not, from v; quoted
// strings are kept as they are.
func dropComments(v string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && (quoted || depth > 0):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(v[i+1])
			}
			i++
			continue
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
			continue
		case c == ')' && !quoted && depth > 0:
			depth--
			b.WriteByte(' ')
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}
