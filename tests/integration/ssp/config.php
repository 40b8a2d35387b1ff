<?php
/* Main SimpleSAMLphp config for the saml2sts integration testbed. */
require_once __DIR__ . '/_testbed.php';
$tb = s2s_testbed();
$state = $tb['state_dir'];

$config = [
    'baseurlpath' => $tb['base_url'],
    'certdir' => $state . '/cert/',
    'loggingdir' => $state . '/log/',
    'datadir' => $state . '/data/',
    'tempdir' => $state . '/tmp',
    'metadatadir' => $tb['config_dir'] . '/metadata/',
    'attributenamemapdir' => '/etc/simplesamlphp/attributemap/',

    'technicalcontact_name' => 'saml2sts testbed',
    'technicalcontact_email' => 'testbed@example.com',
    'timezone' => 'UTC',
    'secretsalt' => $tb['secretsalt'],
    'auth.adminpassword' => $tb['adminpassword'],
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,

    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,

    'module.enable' => [
        'exampleauth' => true,
        'core' => true,
        'saml' => true,
    ],

    'debug' => ['saml' => false, 'backtraces' => true, 'validatexml' => false],
    'showerrors' => true,
    'errorreporting' => false,
    'production' => false,

    'logging.level' => SimpleSAML\Logger::INFO,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'logging.processname' => 'simplesamlphp',
    'statistics.out' => [],

    'store.type' => 'phpsession',
    'session.duration' => 8 * 60 * 60,
    'session.phpsession.cookiename' => 'SimpleSAML',
    'session.phpsession.savepath' => $state . '/sessions',
    'session.phpsession.httponly' => true,
    'session.cookie.secure' => false,      /* php -S speaks plain http (also behind the TLS front) */
    'session.cookie.samesite' => null,
    'session.cookie.path' => '/',
    'session.cookie.domain' => null,
    'session.authtoken.cookiename' => 'SimpleSAMLAuthToken',
    'language.cookie.secure' => false,
    'language.cookie.samesite' => null,

    'trusted.url.domains' => ['127.0.0.1'],
    'template.cache' => $state . '/tmp/twig',
    'template.auto_reload' => false,

    'metadata.sources' => [
        ['type' => 'flatfile'],
    ],
    'metadata.sign.enable' => false,
];
