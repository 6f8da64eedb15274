namespace LocalClaude.Tests.Support;
