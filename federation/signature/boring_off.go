//go:build !goexperiment.boringcrypto

package signature

func boringEnabled() bool { return false }
