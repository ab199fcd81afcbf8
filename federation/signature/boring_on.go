//go:build goexperiment.boringcrypto

package signature

import "crypto/boring"

func boringEnabled() bool { return boring.Enabled() }
