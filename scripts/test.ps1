# Runs the test suite against the built artifacts (Windows twin of test.sh): build.ps1, then dotnet test
# (extra arguments are passed through, e.g. --filter Name~Guard). The last line printed is the totals,
# alone: `N passed, N failed[, N skipped]`, read from the trx file. Exits with dotnet test's exit code.
# The Debian test peers (redis-server, celery, rq) are not installed here: the tests that need them skip.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location (Split-Path -Parent $PSScriptRoot)

$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$resultsDir = 'artifacts/test-results'
$trx = Join-Path $resultsDir 'results.trx'

function Write-Totals {
    $counters = $null
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    }
    if ($null -eq $counters) {
        Write-Warning "test.ps1: no test results in $trx"
        Write-Output '0 passed, 0 failed'
        return
    }
    $n = { param($name) if ($counters.HasAttribute($name)) { [int]$counters.GetAttribute($name) } else { 0 } }
    $passed = & $n 'passed'
    $failed = (& $n 'failed') + (& $n 'error') + (& $n 'timeout') + (& $n 'aborted')
    $skipped = [Math]::Max((& $n 'total') - (& $n 'executed'), (& $n 'notExecuted'))
    if ($skipped -gt 0) {
        Write-Output "$passed passed, $failed failed, $skipped skipped"
    } else {
        Write-Output "$passed passed, $failed failed"
    }
}

$status = 1
try {
    Remove-Item -Force -ErrorAction SilentlyContinue $trx
    & "$PSScriptRoot/build.ps1" | Out-Host
    dotnet test tests/Launcher.Tests/Launcher.Tests.csproj -c Release `
        --logger 'trx;LogFileName=results.trx' --results-directory $resultsDir @args | Out-Host
    $status = $LASTEXITCODE
}
finally {
    # Always end with the totals line, also when the build fails.
    Write-Totals
}
exit $status
