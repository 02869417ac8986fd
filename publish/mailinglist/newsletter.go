package mailinglist

import (
	"net/url"
	"strings"

	"mailbag/archive"
)

// Newsletter is what the list mail says of the newsletter.
type Newsletter struct {
	Title   string
	Address string // From and Reply-To: readers reply with new questions
	BaseURL string // of the archive site; unsubscribe links start with it
}

// URL returns the full URL of post's page on the site.
func (n Newsletter) URL(post *archive.Post) string {
	return strings.TrimRight(n.BaseURL, "/") + post.URLPath()
}

// Host returns the site's host name: the List-Id and Message-IDs use it.
func (n Newsletter) Host() string {
	if u, err := url.Parse(n.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	_, domain, _ := strings.Cut(n.Address, "@")
	return domain
}
